//! Constant folding of a compiled rule: the conjuncts whose value is the same for every
//! encounter, which `offramp check` warns about (a rule that is always false admits no one; a
//! clause that is always true decides nothing).

use super::eval::{V, const_value, order};
use super::*;

impl Compiled {
    /// Each conjunct whose truth is the same for every encounter, by its index, with that
    /// truth. Found exactly by folding the compiled tree (see [`fold`]); a conjunct that is
    /// not listed reads something of the encounter that can change its value.
    pub(crate) fn constant_parts(&self) -> Vec<(usize, bool)> {
        self.parts
            .iter()
            .enumerate()
            .filter_map(|(i, p)| match fold(&p.node) {
                Some(V::Bool(b)) => Some((i, b)),
                _ => None,
            })
            .collect()
    }
}

/// The value `n` has for every encounter, or `None` when it can vary. A constant folds to
/// itself (the law switches and windows are constants once a program is compiled); `not`, a
/// comparison and `in` fold when what they read does; `and` folds to false when one operand
/// does and to true when all do, `or` the other way round, as in the evaluator's three-valued
/// logic, where a false operand decides an `and` even beside an unknown one. An offence
/// quantifier folds when its body does and the answer cannot depend on the list:
/// `any offenses (false)` is false and `all offenses (true)` true even with no offences, and
/// `count offenses (false)` is 0. Fields, `since`, `within`, `is known` and `has` read the
/// encounter; a history quantifier is unknown when no history was recorded; none of them folds.
/// Recursion follows the rule's nesting, which the parser bounds.
pub(super) fn fold(n: &Node) -> Option<V<'_>> {
    match n {
        Node::Const(c) => Some(const_value(c)),
        Node::Not(inner) => match fold(inner)? {
            V::Bool(b) => Some(V::Bool(!b)),
            _ => None,
        },
        Node::And(items) | Node::Or(items) => {
            // The value that decides the group on its own: false for `and`, true for `or`.
            let decisive = matches!(n, Node::Or(_));
            let mut all_folded = true;
            for item in items.iter() {
                match fold(item) {
                    Some(V::Bool(b)) if b == decisive => return Some(V::Bool(decisive)),
                    Some(V::Bool(_)) => {}
                    _ => all_folded = false,
                }
            }
            all_folded.then_some(V::Bool(!decisive))
        }
        Node::Cmp(op, a, b) => {
            let (a, b) = (fold(a)?, fold(b)?);
            order(a, b).map(|o| V::Bool(op.holds(o)))
        }
        Node::InMask(v, mask, negated) => match fold(v)? {
            V::Enum(e) => Some(V::Bool(
                ((mask >> (u32::from(e) & 63)) & 1 == 1) != *negated,
            )),
            _ => None,
        },
        Node::InList(v, list, negated) => {
            let x = fold(v)?;
            if matches!(x, V::Unknown) {
                return None;
            }
            let found = list
                .iter()
                .any(|c| order(x, const_value(c)) == Some(std::cmp::Ordering::Equal));
            Some(V::Bool(found != *negated))
        }
        Node::Quant(q, Collection::Offenses, Some(body)) => match (q, fold(body)) {
            (Quantifier::Any, Some(V::Bool(false))) => Some(V::Bool(false)),
            (Quantifier::All, Some(V::Bool(true))) => Some(V::Bool(true)),
            (Quantifier::Count, Some(V::Bool(false))) => Some(V::Int(0)),
            _ => None,
        },
        Node::Field(_)
        | Node::Since
        | Node::Has(..)
        | Node::Known(..)
        | Node::Within(_)
        | Node::Quant(..) => None,
    }
}
