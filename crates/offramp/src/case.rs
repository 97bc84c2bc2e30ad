//! TEMPORARY stub
#![allow(missing_docs)]
pub fn status_graph_mermaid() -> String {
    String::new()
}
pub fn status_graph_dot() -> String {
    String::new()
}
