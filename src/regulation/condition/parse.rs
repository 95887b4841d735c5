//! Tokens into a syntax tree: precedence climbing, depth bounded.

use super::lex::Token;
use super::*;

pub(super) struct Parser<'t> {
    tokens: &'t [(Token, usize)],
    position: usize,
    depth: usize,
    end: usize,
}

impl<'t> Parser<'t> {
    /// A parser of `tokens`, lexed from a text of `end` bytes.
    pub(super) fn new(tokens: &'t [(Token, usize)], end: usize) -> Self {
        Parser {
            tokens,
            position: 0,
            depth: 0,
            end,
        }
    }
}

impl Parser<'_> {
    pub(super) fn peek(&self) -> Token {
        self.tokens
            .get(self.position)
            .map_or(Token::End, |(t, _)| t.clone())
    }

    fn at(&self) -> usize {
        self.tokens
            .get(self.position)
            .map_or(self.end, |(_, at)| *at)
    }

    fn advance(&mut self) {
        self.position += 1;
    }

    fn take_op(&mut self, ops: &[&str]) -> Option<(&'static str, usize)> {
        match self.tokens.get(self.position) {
            Some((Token::Op(op), at)) if ops.contains(op) => {
                let taken = (*op, *at);
                self.advance();
                Some(taken)
            }
            _ => None,
        }
    }

    pub(super) fn unexpected(&self, token: Token, context: &str) -> ConditionError {
        let message = match &token {
            Token::End => format!("điều kiện dừng giữa chừng: thiếu một giá trị {context}"),
            Token::Name(word) if matches!(word.as_str(), "and" | "và" | "AND") => {
                format!("không hiểu '{word}': \"và\" viết là &&")
            }
            Token::Name(word) if matches!(word.as_str(), "or" | "hoặc" | "OR") => {
                format!("không hiểu '{word}': \"hoặc\" viết là ||")
            }
            other => format!("không hiểu '{}' {context}", other.shown()),
        };
        ConditionError {
            at: self.at(),
            kind: ErrorKind::Syntax,
            message,
        }
    }

    fn nested<T>(
        &mut self,
        parse: impl FnOnce(&mut Self) -> Result<T, ConditionError>,
    ) -> Result<T, ConditionError> {
        if self.depth >= MAX_DEPTH {
            return Err(ConditionError {
                at: self.at(),
                kind: ErrorKind::Syntax,
                message: format!("điều kiện lồng quá sâu (quá {MAX_DEPTH} tầng)"),
            });
        }
        self.depth += 1;
        let result = parse(self);
        self.depth -= 1;
        result
    }

    pub(super) fn expression(&mut self) -> Result<Node, ConditionError> {
        self.nested(Self::or)
    }

    fn binary_chain(
        &mut self,
        ops: &[(&str, BinaryOp)],
        operand: fn(&mut Self) -> Result<Node, ConditionError>,
    ) -> Result<Node, ConditionError> {
        let symbols: Vec<&str> = ops.iter().map(|(s, _)| *s).collect();
        let mut left = operand(self)?;
        let outer = self.depth;
        let result = loop {
            let Some((symbol, at)) = self.take_op(&symbols) else {
                break Ok(left);
            };
            let op = ops.iter().find(|(s, _)| *s == symbol).map(|(_, op)| *op);
            let Some(op) = op else { break Ok(left) };
            // Each link of a chain is one level deeper in the tree, which
            // checking and evaluating walk recursively.
            let right = match self.nested(|parser| {
                parser.depth += 1;
                operand(parser)
            }) {
                Ok(right) => right,
                Err(e) => break Err(e),
            };
            left = Node {
                expr: Expr::Binary {
                    op,
                    left: Box::new(left),
                    right: Box::new(right),
                },
                at,
            };
        };
        self.depth = outer;
        result
    }

    fn or(&mut self) -> Result<Node, ConditionError> {
        self.binary_chain(&[("||", BinaryOp::Or)], Self::and)
    }

    fn and(&mut self) -> Result<Node, ConditionError> {
        self.binary_chain(&[("&&", BinaryOp::And)], Self::comparison)
    }

    fn comparison(&mut self) -> Result<Node, ConditionError> {
        const SYMBOLS: [&str; 6] = ["==", "!=", "<", "<=", ">", ">="];
        let left = self.additive()?;
        let Some((symbol, at)) = self.take_op(&SYMBOLS) else {
            return Ok(left);
        };
        let right = self.additive()?;
        if let Some((_, second)) = self.take_op(&SYMBOLS) {
            return Err(ConditionError {
                at: second,
                kind: ErrorKind::Syntax,
                message: "hai phép so sánh liền nhau: tách thành hai so sánh nối bằng &&, \
                          ví dụ a <= x && x <= b"
                    .to_string(),
            });
        }
        let op = BinaryOp::comparison(symbol).unwrap_or(BinaryOp::Eq);
        Ok(Node {
            expr: Expr::Binary {
                op,
                left: Box::new(left),
                right: Box::new(right),
            },
            at,
        })
    }

    fn additive(&mut self) -> Result<Node, ConditionError> {
        self.binary_chain(
            &[("+", BinaryOp::Add), ("-", BinaryOp::Sub)],
            Self::multiplicative,
        )
    }

    fn multiplicative(&mut self) -> Result<Node, ConditionError> {
        self.binary_chain(
            &[
                ("*", BinaryOp::Mul),
                ("/", BinaryOp::Div),
                ("%", BinaryOp::Rem),
            ],
            Self::unary,
        )
    }

    fn unary(&mut self) -> Result<Node, ConditionError> {
        let Some((symbol, at)) = self.take_op(&["!", "-"]) else {
            return self.power();
        };
        let operand = Box::new(self.nested(Self::unary)?);
        let expr = if symbol == "!" {
            Expr::Not(operand)
        } else {
            Expr::Negate(operand)
        };
        Ok(Node { expr, at })
    }

    fn power(&mut self) -> Result<Node, ConditionError> {
        let base = self.primary()?;
        let Some((_, at)) = self.take_op(&["^"]) else {
            return Ok(base);
        };
        let exponent = self.nested(Self::unary)?;
        Ok(Node {
            expr: Expr::Binary {
                op: BinaryOp::Pow,
                left: Box::new(base),
                right: Box::new(exponent),
            },
            at,
        })
    }

    fn primary(&mut self) -> Result<Node, ConditionError> {
        let at = self.at();
        let token = self.peek();
        let literal = |literal| {
            Ok(Node {
                expr: Expr::Literal(literal),
                at,
            })
        };
        match token {
            Token::Int(i) => {
                self.advance();
                literal(Literal::Int(i))
            }
            Token::Float(f) => {
                self.advance();
                literal(Literal::Float(f))
            }
            Token::Text(t) => {
                self.advance();
                literal(Literal::Text(t))
            }
            Token::Name(name) if name == "true" || name == "false" => {
                self.advance();
                literal(Literal::Bool(name == "true"))
            }
            Token::Name(name) => {
                self.advance();
                if self.peek() == Token::Open {
                    self.call(name, at)
                } else {
                    Ok(Node {
                        expr: Expr::Variable(name),
                        at,
                    })
                }
            }
            Token::Open => {
                self.advance();
                let first = self.expression()?;
                if self.peek() != Token::Comma {
                    self.close(at, "ở chỗ cần ')'")?;
                    return Ok(first);
                }
                // "(a, b, c)": a list, for contains((…), x).
                let mut items = vec![first];
                while self.peek() == Token::Comma {
                    self.advance();
                    items.push(self.expression()?);
                }
                self.close(at, "ở chỗ cần ',' hoặc ')'")?;
                Ok(Node {
                    expr: Expr::List(items),
                    at,
                })
            }
            other => Err(self.unexpected(other, "ở chỗ cần một giá trị")),
        }
    }

    fn close(&mut self, open: usize, expected: &str) -> Result<(), ConditionError> {
        match self.peek() {
            Token::Close => {
                self.advance();
                Ok(())
            }
            Token::End => Err(ConditionError {
                at: open,
                kind: ErrorKind::Syntax,
                message: "dấu '(' này thiếu dấu ')' đóng".to_string(),
            }),
            other => Err(self.unexpected(other, expected)),
        }
    }

    fn arguments(&mut self) -> Result<Vec<Node>, ConditionError> {
        let open = self.at();
        self.advance();
        let mut args = Vec::new();
        if self.peek() == Token::Close {
            self.advance();
            return Ok(args);
        }
        loop {
            args.push(self.expression()?);
            if self.peek() == Token::Comma {
                self.advance();
            } else {
                self.close(open, "ở chỗ cần ',' hoặc ')'")?;
                return Ok(args);
            }
        }
    }

    fn call(&mut self, name: String, at: usize) -> Result<Node, ConditionError> {
        let args = self.arguments()?;
        let wrong_count = |expected: &str| ConditionError {
            at,
            kind: ErrorKind::Syntax,
            message: format!("{name}(…) cần {expected}, ở đây có {}", args.len()),
        };
        let expr = if name == "known" {
            match args.as_slice() {
                [
                    Node {
                        expr: Expr::Variable(variable) | Expr::Literal(Literal::Text(variable)),
                        ..
                    },
                ] => Expr::Known(variable.clone()),
                [_] => {
                    return Err(ConditionError {
                        at,
                        kind: ErrorKind::Syntax,
                        message: "known(…) cần tên một biến, ví dụ known(vote_share)".to_string(),
                    });
                }
                _ => return Err(wrong_count("đúng một tên biến")),
            }
        } else if let Some(function) = HistoryFn::ALL.into_iter().find(|f| f.name() == name) {
            let most = if function.takes_year() { 2 } else { 1 };
            if args.is_empty() || args.len() > most {
                return Err(wrong_count(if most == 2 {
                    "một mã và có thể thêm một năm"
                } else {
                    "đúng một mã"
                }));
            }
            let mut args = args.into_iter();
            let code = Box::new(args.next().expect("checked: one argument at least"));
            Expr::History {
                function,
                code,
                year: args.next().map(Box::new),
            }
        } else if let Some(function) = Builtin::ALL
            .into_iter()
            .find(|f| f.name() == name.strip_prefix("math::").unwrap_or(&name))
        {
            let (fewest, most) = function.arity();
            if args.len() < fewest || args.len() > most {
                return Err(wrong_count(&match (fewest, most) {
                    (1, usize::MAX) => "ít nhất một giá trị".to_string(),
                    (n, m) if n == m => format!("{n} giá trị"),
                    (n, m) => format!("{n} đến {m} giá trị"),
                }));
            }
            Expr::Builtin { function, args }
        } else {
            return Err(ConditionError {
                at,
                kind: ErrorKind::UnknownName,
                message: match name.strip_prefix("math::") {
                    Some(_) => format!(
                        "không có hàm '{name}': dùng được abs, floor, ceil, round, min, max"
                    ),
                    None => format!("không có hàm '{name}'"),
                },
            });
        };
        Ok(Node { expr, at })
    }
}
