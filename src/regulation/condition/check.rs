//! Names and types checked against what a record offers, at load.

use super::*;
use crate::model::Rating;

pub(super) fn check(
    node: &Node,
    variables: &dyn Fn(&str) -> Option<Type>,
) -> Result<Type, ConditionError> {
    let type_error = |message: String| ConditionError {
        at: node.at,
        kind: ErrorKind::Type,
        message,
    };
    let expect = |child: &Node, wanted: Type, role: &str| -> Result<(), ConditionError> {
        let found = check(child, variables)?;
        if found == wanted {
            Ok(())
        } else {
            Err(ConditionError {
                at: child.at,
                kind: ErrorKind::Type,
                message: format!(
                    "{role} cần {}, ở đây là {}",
                    wanted.vietnamese(),
                    found.vietnamese()
                ),
            })
        }
    };
    match &node.expr {
        Expr::Literal(Literal::Int(_) | Literal::Float(_)) => Ok(Type::Number),
        Expr::Literal(Literal::Text(_)) => Ok(Type::Text),
        Expr::Literal(Literal::Bool(_)) => Ok(Type::Bool),
        Expr::Variable(name) => variables(name).ok_or_else(|| ConditionError {
            at: node.at,
            kind: ErrorKind::UnknownName,
            message: format!("không có biến '{name}'"),
        }),
        Expr::Known(name) => match variables(name) {
            Some(_) => Ok(Type::Bool),
            None => Err(ConditionError {
                at: node.at,
                kind: ErrorKind::UnknownName,
                message: format!("known({name}): không có biến '{name}'"),
            }),
        },
        Expr::History {
            function,
            code,
            year,
        } => {
            let role = format!("{}(…)", function.name());
            expect(code, Type::Text, &format!("mã của {role}"))?;
            if let Expr::Literal(Literal::Text(rating)) = &code.expr
                && function.takes_rating()
                && Rating::from_code(rating).is_none()
            {
                return Err(ConditionError {
                    at: code.at,
                    kind: ErrorKind::Type,
                    message: format!(
                        "{role}: '{rating}' không phải mức xếp loại (HTXSNV, HTTNV, HTNV, KHTNV)"
                    ),
                });
            }
            if let Some(year) = year {
                expect(year, Type::Number, &format!("năm của {role}"))?;
            }
            Ok(function.result())
        }
        Expr::Builtin { function, args } => {
            let role = format!("{}(…)", function.name());
            match function {
                Builtin::If => {
                    expect(&args[0], Type::Bool, "điều kiện của if(…)")?;
                    let then = check(&args[1], variables)?;
                    expect(&args[2], then, "hai nhánh của if(…)")?;
                    Ok(then)
                }
                Builtin::Contains => match &args[0].expr {
                    Expr::List(items) => {
                        let wanted = check(&args[1], variables)?;
                        for item in items {
                            expect(item, wanted, "mỗi giá trị trong danh sách của contains(…)")?;
                        }
                        Ok(Type::Bool)
                    }
                    _ => {
                        expect(&args[0], Type::Text, &role)?;
                        expect(&args[1], Type::Text, &role)?;
                        Ok(Type::Bool)
                    }
                },
                _ => {
                    for arg in args {
                        expect(arg, Type::Number, &role)?;
                    }
                    Ok(Type::Number)
                }
            }
        }
        Expr::List(_) => Err(type_error(
            "danh sách (a, b, …) chỉ dùng làm đối số đầu của contains(…), ví dụ \
             contains((\"GV\", \"GVC\"), job_title)"
                .to_string(),
        )),
        Expr::Not(operand) => {
            expect(operand, Type::Bool, "'!'")?;
            Ok(Type::Bool)
        }
        Expr::Negate(operand) => {
            expect(operand, Type::Number, "'-'")?;
            Ok(Type::Number)
        }
        Expr::Binary { op, left, right } => {
            let role = format!("'{}'", op.symbol());
            match op {
                BinaryOp::Or | BinaryOp::And => {
                    expect(left, Type::Bool, &format!("vế trái của {role}"))?;
                    expect(right, Type::Bool, &format!("vế phải của {role}"))?;
                    Ok(Type::Bool)
                }
                BinaryOp::Eq | BinaryOp::Ne => {
                    let left_type = check(left, variables)?;
                    let right_type = check(right, variables)?;
                    if left_type == right_type {
                        Ok(Type::Bool)
                    } else {
                        Err(type_error(format!(
                            "{role} so sánh {} với {}: so sánh số với số (rating_rank >= 3), \
                             chữ với chữ (rating == \"HTXSNV\")",
                            left_type.vietnamese(),
                            right_type.vietnamese()
                        )))
                    }
                }
                BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                    expect(left, Type::Number, &format!("vế trái của {role}"))?;
                    expect(right, Type::Number, &format!("vế phải của {role}"))?;
                    Ok(Type::Bool)
                }
                _ => {
                    expect(left, Type::Number, &format!("vế trái của {role}"))?;
                    expect(right, Type::Number, &format!("vế phải của {role}"))?;
                    Ok(Type::Number)
                }
            }
        }
    }
}
