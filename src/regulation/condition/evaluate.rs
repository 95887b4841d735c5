//! A condition over one record: `&&` and `||` short-circuit.

use super::*;

pub(super) fn invalid(message: impl Into<String>) -> EvalError {
    EvalError::Invalid(message.into())
}

pub(super) fn evaluate<'a>(node: &'a Node, scope: &'a dyn Scope) -> Result<Value<'a>, EvalError> {
    Ok(match &node.expr {
        Expr::Literal(Literal::Int(i)) => Value::Int(*i),
        Expr::Literal(Literal::Float(f)) => Value::Float(*f),
        Expr::Literal(Literal::Text(t)) => Value::Text(t),
        Expr::Literal(Literal::Bool(b)) => Value::Bool(*b),
        Expr::Variable(name) => scope
            .variable(name)
            .ok_or_else(|| EvalError::Missing(name.clone()))?,
        Expr::Known(name) => Value::Bool(scope.variable(name).is_some()),
        Expr::History {
            function,
            code,
            year,
        } => {
            let Value::Text(code) = evaluate(code, scope)? else {
                return Err(invalid(format!("{}(…) cần một mã", function.name())));
            };
            let year = match year {
                Some(year) => Some(whole(evaluate(year, scope)?, "năm")?),
                None => None,
            };
            scope.history(*function, code, year)?
        }
        Expr::Builtin { function, args } => builtin(*function, args, scope)?,
        Expr::List(_) => return Err(invalid("danh sách chỉ dùng trong contains(…)")),
        Expr::Not(operand) => Value::Bool(!boolean(evaluate(operand, scope)?)?),
        Expr::Negate(operand) => match evaluate(operand, scope)? {
            Value::Int(i) => Value::Int(i.checked_neg().ok_or_else(too_large)?),
            other => Value::Float(-number(other)?),
        },
        Expr::Binary { op, left, right } => match op {
            BinaryOp::And => {
                Value::Bool(boolean(evaluate(left, scope)?)? && boolean(evaluate(right, scope)?)?)
            }
            BinaryOp::Or => {
                Value::Bool(boolean(evaluate(left, scope)?)? || boolean(evaluate(right, scope)?)?)
            }
            _ => binary(*op, evaluate(left, scope)?, evaluate(right, scope)?)?,
        },
    })
}

fn builtin<'a>(
    function: Builtin,
    args: &'a [Node],
    scope: &'a dyn Scope,
) -> Result<Value<'a>, EvalError> {
    let numbers = || -> Result<Vec<Value<'a>>, EvalError> {
        args.iter().map(|arg| evaluate(arg, scope)).collect()
    };
    Ok(match function {
        Builtin::If => {
            if boolean(evaluate(&args[0], scope)?)? {
                evaluate(&args[1], scope)?
            } else {
                evaluate(&args[2], scope)?
            }
        }
        Builtin::Contains if matches!(args[0].expr, Expr::List(_)) => {
            let Expr::List(items) = &args[0].expr else {
                return Err(invalid("contains(…) cần một danh sách"));
            };
            let needle = evaluate(&args[1], scope)?;
            for item in items {
                if binary(BinaryOp::Eq, evaluate(item, scope)?, needle)? == Value::Bool(true) {
                    return Ok(Value::Bool(true));
                }
            }
            Value::Bool(false)
        }
        Builtin::Contains => {
            let (Value::Text(haystack), Value::Text(needle)) =
                (evaluate(&args[0], scope)?, evaluate(&args[1], scope)?)
            else {
                return Err(invalid("contains(…) cần hai chuỗi"));
            };
            Value::Bool(haystack.contains(needle))
        }
        Builtin::Min | Builtin::Max => {
            let mut best: Option<Value<'a>> = None;
            for value in numbers()? {
                let n = number(value)?;
                best = Some(match best {
                    None => value,
                    Some(b) if (function == Builtin::Min) == (n < number(b)?) => value,
                    Some(b) => b,
                });
            }
            best.ok_or_else(|| invalid("min/max cần ít nhất một giá trị"))?
        }
        Builtin::Floor | Builtin::Ceil | Builtin::Round | Builtin::Abs => {
            let value = evaluate(&args[0], scope)?;
            if let Value::Int(i) = value {
                return Ok(Value::Int(if function == Builtin::Abs {
                    i.checked_abs().ok_or_else(too_large)?
                } else {
                    i
                }));
            }
            let n = number(value)?;
            let result = match function {
                Builtin::Floor => n.floor(),
                Builtin::Ceil => n.ceil(),
                Builtin::Round => n.round(),
                _ => n.abs(),
            };
            float(result)?
        }
    })
}

fn binary<'a>(op: BinaryOp, left: Value<'a>, right: Value<'a>) -> Result<Value<'a>, EvalError> {
    use std::cmp::Ordering;
    let compare = || -> Result<Ordering, EvalError> {
        match (left, right) {
            (Value::Int(a), Value::Int(b)) => Ok(a.cmp(&b)),
            _ => number(left)?
                .partial_cmp(&number(right)?)
                .ok_or_else(|| invalid("không so sánh được hai giá trị này")),
        }
    };
    let equal = || -> Result<bool, EvalError> {
        match (left, right) {
            (Value::Text(a), Value::Text(b)) => Ok(a == b),
            (Value::Bool(a), Value::Bool(b)) => Ok(a == b),
            _ => compare().map(Ordering::is_eq),
        }
    };
    Ok(match op {
        BinaryOp::Eq => Value::Bool(equal()?),
        BinaryOp::Ne => Value::Bool(!equal()?),
        BinaryOp::Lt => Value::Bool(compare()?.is_lt()),
        BinaryOp::Le => Value::Bool(compare()?.is_le()),
        BinaryOp::Gt => Value::Bool(compare()?.is_gt()),
        BinaryOp::Ge => Value::Bool(compare()?.is_ge()),
        BinaryOp::And | BinaryOp::Or => {
            unreachable!("&& and || are evaluated lazily by `evaluate`")
        }
        _ => arithmetic(op, left, right)?,
    })
}

fn arithmetic(
    op: BinaryOp,
    left: Value<'_>,
    right: Value<'_>,
) -> Result<Value<'static>, EvalError> {
    if let (Value::Int(a), Value::Int(b)) = (left, right) {
        let whole = match op {
            BinaryOp::Add => a.checked_add(b),
            BinaryOp::Sub => a.checked_sub(b),
            BinaryOp::Mul => a.checked_mul(b),
            BinaryOp::Div | BinaryOp::Rem if b == 0 => return Err(invalid("chia cho 0")),
            BinaryOp::Div if a.checked_rem(b) == Some(0) => a.checked_div(b),
            BinaryOp::Rem => a.checked_rem(b),
            _ => None,
        };
        if let Some(result) = whole {
            return Ok(Value::Int(result));
        }
        if matches!(op, BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul) {
            return Err(too_large());
        }
    }
    let (a, b) = (number(left)?, number(right)?);
    let result = match op {
        BinaryOp::Add => a + b,
        BinaryOp::Sub => a - b,
        BinaryOp::Mul => a * b,
        BinaryOp::Div | BinaryOp::Rem if b == 0.0 => return Err(invalid("chia cho 0")),
        BinaryOp::Div => a / b,
        BinaryOp::Rem => a % b,
        _ => a.powf(b),
    };
    float(result)
}

fn float(value: f64) -> Result<Value<'static>, EvalError> {
    if value.is_nan() {
        Err(invalid(
            "kết quả không phải một số (ví dụ căn bậc hai của số âm)",
        ))
    } else if value.is_finite() {
        Ok(Value::Float(value))
    } else {
        Err(too_large())
    }
}

pub(super) fn too_large() -> EvalError {
    invalid("kết quả tính quá lớn")
}

fn number(value: Value<'_>) -> Result<f64, EvalError> {
    value
        .number()
        .ok_or_else(|| invalid(format!("cần một số, ở đây là '{}'", value.display())))
}

fn boolean(value: Value<'_>) -> Result<bool, EvalError> {
    match value {
        Value::Bool(b) => Ok(b),
        other => Err(invalid(format!(
            "cần đúng/sai, ở đây là '{}'",
            other.display()
        ))),
    }
}

fn whole(value: Value<'_>, what: &str) -> Result<i64, EvalError> {
    match value {
        Value::Int(i) => Ok(i),
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => Ok(f as i64),
        other => Err(invalid(format!(
            "{what} cần là số nguyên, ở đây là '{}'",
            other.display()
        ))),
    }
}
