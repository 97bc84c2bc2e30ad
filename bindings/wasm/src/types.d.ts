/** One problem in a program, directory or scenario file, placed in its text. */
export interface Diagnostic {
  /** `error`: the file does not load; `warning`: it loads, but something cannot work as written. */
  severity: "error" | "warning";
  /** The kind of file: `offramp::program`, `offramp::directory`, `offramp::scenarios`. */
  code: string;
  /** The name the text is given: `program.toml`, `directory.json`, `scenarios.toml`. */
  file: string;
  /** 1-based line; 0 when the problem is named by `path` only. */
  line: number;
  /** 1-based column, in characters; 0 when unknown. */
  column: number;
  /** The dotted key path of the value at fault, such as `pathways[0].rules[1].when`. */
  path?: string;
  message: string;
  help?: string;
  /** Byte range in the text. */
  span: { start: number; end: number };
  /** The diagnostic with a snippet of the text, as `offramp check` prints it. */
  rendered: string;
}

/** A field not recorded whose recording could change the decision. */
export interface NeededInformation {
  /** The field as the encounter names it: `age`, `attributes.screened`, `offenses[0].activity`. */
  field: string;
  /** Pathways whose eligibility it could decide, in the program's order. */
  pathways: string[];
  /** Exclusions it could decide, by id. */
  exclusions: string[];
}

/** One thing a decision got wrong in a scenario. */
export interface Mismatch {
  /** The scenario key checked: `disposition`, `eligible`, `because`, ... */
  check: string;
  /** The pathway the check is about (`ineligible`, `because`). */
  pathway?: string;
  /** What the scenario expected, as a scenario file writes it. */
  expected: string;
  /** What the decision has. */
  actual: string;
}

/** What a decision says about one pathway of a failed scenario. */
export interface PathwayReasons {
  pathway: string;
  /** The rule that made it eligible. */
  eligible_by?: string;
  /** Why it is not eligible, each `RULE: words`. */
  reasons: string[];
}

/** The result of one scenario. */
export interface ScenarioResult {
  name: string;
  passed: boolean;
  /** What did not match; empty when it passed. */
  mismatches: Mismatch[];
  /** For a failed scenario, what the decision says about each pathway involved. */
  reasons: PathwayReasons[];
}

/** A scenario file run against a program (`runScenarios`). */
export interface ScenarioRun {
  /** The program's id. */
  program: string;
  passed: number;
  failed: number;
  /** What `offramp test PROGRAM --scenarios FILE` prints. */
  text: string;
  /** One result per scenario, in file order. */
  results: ScenarioResult[];
}

/** A program's analysis (`analyze`): the JSON `offramp analyze --format json` prints. */
export interface Analysis {
  programs: { id: string; name: string; hash: string }[];
  encounters_examined: number;
  gaps: {
    conditions: { field: string; text: string }[];
    summary: string;
    intercepts: number[];
    classes: number;
    encounters: number | null;
    /** An encounter in the gap, as JSON. */
    example: Record<string, unknown>;
  }[];
  gaps_left_out: number;
  overlaps: {
    program: string;
    kind: "always_together" | "shadowed";
    pathway: string;
    other: string;
    summary: string;
  }[];
  dead_rules: { program: string; pathway: string; rule: string; summary: string }[];
  whole_exclusions: {
    program: string;
    exclusion: string;
    pathway: string | null;
    summary: string;
  }[];
  coverage: {
    intercept: number;
    pathway: string;
    programs: string[];
    responders: string[];
    partner_kinds: string[];
    gap: boolean;
  }[];
}

/** The formats `map` draws in. */
export type MapFormat = "svg" | "mermaid" | "html";

/**
 * The Sequential Intercept Model gap map of the program's analysis, as `offramp analyze
 * PROGRAM --map FILE --map-format FORMAT` writes it (`svg` when no format is given).
 * Throws `InvalidProgram`, `AnalysisTooLarge`, or `InvalidArgument` for another format.
 */
export function map(program: string, format?: MapFormat | null): string;

/**
 * The fields of the `Error`s the functions throw, by `name`:
 * `InvalidProgram`, `InvalidDirectory`, `InvalidScenarios` (line, column, detail, diagnostics),
 * `InvalidEncounter` (field, detail, line, column), `AnalysisTooLarge`, `InvalidArgument`
 * (detail), `InternalError`.
 */
export interface OfframpError extends Error {
  name:
    | "InvalidProgram"
    | "InvalidDirectory"
    | "InvalidScenarios"
    | "InvalidEncounter"
    | "AnalysisTooLarge"
    | "InvalidArgument"
    | "InternalError";
  /** 1-based line of the first problem, when known. */
  line?: number;
  /** 1-based column of the first problem, when known. */
  column?: number;
  /** The first problem's message, without the file's name. */
  detail?: string;
  /** An encounter's field at fault (`age`, `offenses[0].nibrs`, `.` for the whole object). */
  field?: string;
  /** Every problem of a file that does not load. */
  diagnostics?: Diagnostic[];
}
