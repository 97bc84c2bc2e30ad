//! `offramp case`: referral cases after a decision.

use std::io::{self, Write};
use std::process::ExitCode;

use crate::error::CliError;

/// Subcommands of `offramp case`.
#[derive(clap::Subcommand, Debug, Clone)]
pub enum CaseCommand {
    /// Draw the case state graph.
    Graph {
        /// Mermaid (for Markdown) or Graphviz DOT.
        #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
        format: GraphFormat,
    },
}

/// How to draw the graph.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum GraphFormat {
    /// Mermaid, for Markdown.
    Mermaid,
    /// Graphviz DOT.
    Dot,
}

/// Runs the subcommand.
pub fn run(command: CaseCommand) -> Result<ExitCode, CliError> {
    match command {
        CaseCommand::Graph { format } => {
            let text = match format {
                GraphFormat::Mermaid => offramp::case::case_graph_mermaid(),
                GraphFormat::Dot => offramp::case::case_graph_dot(),
            };
            write!(io::stdout().lock(), "{text}").map_err(CliError::Stdout)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
