// Tests of the Swift bindings, compiled with swiftc against the generated `Offramp` module and
// run against the real cdylib.
//
// Usage: offramp-swift-tests REPO_ROOT SCENARIOS_TSV
// It prints one line per test and ends with "N passed, N failed"; the exit status is 1 on any
// failure.

import Foundation
import Offramp

struct Failure: Error, CustomStringConvertible {
    let description: String
}

/// An RFC 3339 time as the Date the records take.
func date(_ text: String) -> Date {
    let format = ISO8601DateFormatter()
    format.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    if let d = format.date(from: text) { return d }
    format.formatOptions = [.withInternetDateTime]
    guard let d = format.date(from: text) else { fatalError("not a test time: \(text)") }
    return d
}

/// An RFC 3339 time as the ZonedTime offramp gives back: its instant and its written offset.
func zoned(_ text: String) -> ZonedTime {
    var offset: Int32 = 0
    if !text.hasSuffix("Z") {
        let tail = text.suffix(6)  // "+hh:mm" or "-hh:mm"
        let sign: Int32 = tail.hasPrefix("-") ? -1 : 1
        let parts = tail.dropFirst().split(separator: ":").compactMap { Int32($0) }
        offset = sign * (parts[0] * 3600 + parts[1] * 60)
    }
    return ZonedTime(instant: date(text), utcOffsetSeconds: offset)
}

/// A moment far outside any year offramp represents.
let farFuture = Date(timeIntervalSince1970: 1e17)

var passed = 0
var failed = 0

func test(_ name: String, _ body: () throws -> Void) {
    do {
        try body()
        passed += 1
        print("ok     \(name)")
    } catch {
        failed += 1
        print("FAILED \(name): \(error)")
    }
}

func check(_ condition: Bool, _ message: @autoclosure () -> String = "check failed") throws {
    if !condition { throw Failure(description: message()) }
}

func checkEq<T: Equatable>(_ got: T, _ expected: T, _ what: String = "value") throws {
    if got != expected { throw Failure(description: "\(what): got <\(got)>, expected <\(expected)>") }
}

/// Runs `body`, which must throw an `OfframpError`; returns it.
func expectError(_ what: String, _ body: () throws -> Void) throws -> OfframpError {
    do {
        try body()
    } catch let e as OfframpError {
        return e
    } catch {
        throw Failure(description: "\(what): expected an OfframpError, got \(error)")
    }
    throw Failure(description: "\(what): expected an OfframpError, nothing was thrown")
}

let args = CommandLine.arguments
guard args.count == 3 else {
    print("usage: offramp-swift-tests REPO_ROOT SCENARIOS_TSV")
    exit(2)
}
let root = args[1]

func read(_ relative: String) throws -> String {
    try String(contentsOfFile: "\(root)/\(relative)", encoding: .utf8)
}

func program(_ name: String) throws -> Program {
    try Program.fromToml(text: try read("examples/programs/\(name).toml"), name: "\(name).toml")
}

func encounterLines(_ name: String) throws -> [String] {
    try read("examples/encounters/\(name).jsonl").split(separator: "\n").map(String.init)
        .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
}

/// One hand-checked scenario, as tests/scenarios-to-tsv.py writes it.
struct Scenario {
    let program, name, encounter, disposition: String
    let eligible: [String]
    let intercept: Int?
    let ineligible: [(String, String)]
    let chargeHoldDeadline: String?
    let warnings: [String]
    let needsInformation: [String]
    let because: [(String, String)]

    init(_ line: String) {
        let cells = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        let list = { (s: String, sep: Character) in s.split(separator: sep).map(String.init) }
        program = cells[0]
        name = cells[1]
        encounter = cells[2]
        disposition = cells[3]
        eligible = list(cells[4], ",")
        intercept = Int(cells[5])
        ineligible = list(cells[6], ";").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            return (parts[0], parts.count > 1 ? parts[1] : "")
        }
        chargeHoldDeadline = cells[7].isEmpty ? nil : cells[7]
        warnings = list(cells[8], ",")
        needsInformation = list(cells[9], ",")
        because = list(cells[10], "|").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            return (parts[0], parts.count > 1 ? parts[1] : "")
        }
    }
}

/// The checks of tests/scenarios.rs, on a decision that came through the bindings.
func problems(_ s: Scenario, _ d: Decision) -> [String] {
    var out: [String] = []
    if d.disposition.jsonName() != s.disposition {
        out.append("disposition \(d.disposition.jsonName()) (expected \(s.disposition))")
    }
    let eligible = d.eligible.map { $0.pathway.jsonName() }
    if eligible != s.eligible { out.append("eligible \(eligible) (expected \(s.eligible))") }
    if let i = s.intercept, Int(d.intercept.number()) != i {
        out.append("intercept \(d.intercept.number()) (expected \(i))")
    }
    for (pathway, rule) in s.ineligible {
        guard let found = d.ineligible.first(where: { $0.pathway.jsonName() == pathway }) else {
            out.append("\(pathway) is not among the ineligible")
            continue
        }
        if !found.reasons.contains(where: { $0.rule == rule }) { out.append("\(pathway): no reason names \(rule)") }
        if found.reasons.contains(where: { $0.because.isEmpty }) { out.append("\(pathway): a reason has no words") }
    }
    if let deadline = s.chargeHoldDeadline {
        // The same instant, read on the same clock.
        let got = d.eligible.compactMap { $0.chargeHold?.deadline }
        if !got.contains(zoned(deadline)) { out.append("charge hold deadlines \(got) (expected \(deadline))") }
    }
    for w in s.warnings where !d.warnings.contains(where: { $0.code.jsonName() == w }) {
        out.append("warning \(w) missing")
    }
    let needs = d.needsInformation.map { $0.field }
    if needs != s.needsInformation { out.append("needsInformation \(needs) (expected \(s.needsInformation))") }
    for (pathway, words) in s.because {
        let reasons = d.ineligible.filter { $0.pathway.jsonName() == pathway }.flatMap { $0.reasons }
        if !reasons.contains(where: { $0.because.contains(words) }) {
            out.append("\(pathway): no reason says \"\(words)\"")
        }
    }
    return out
}

func lead(
    id: String = "e-1", at: Date = date("2026-03-02T14:05:00-08:00"), utcOffsetSeconds: Int32? = -8 * 3600,
    nibrs: String = "35A",
    overdose: Overdose? = nil, age: UInt16? = nil, location: Location? = nil
) -> Encounter {
    Encounter(
        id: id, at: at, utcOffsetSeconds: utcOffsetSeconds, responder: .lawEnforcement,
        source: .callForService, needs: [.sud],
        overdose: overdose,
        offenses: [Offense(nibrs: nibrs, level: .misdemeanor, violent: false)],
        age: age, location: location)
}

let leadJson = """
    {"id": "e-1", "at": "2026-03-02T14:05:00-08:00",
     "responder": "law_enforcement", "source": "call_for_service", "needs": ["sud"],
     "offenses": [{"nibrs": "35A", "level": "misdemeanor", "violent": false}]}
    """

let padJson = """
    {"id":"e-9","at":"2026-05-20T09:00:00-04:00","responder":"law_enforcement",
     "source":"on_view","age":30,"history":[],
     "offenses":[{"nibrs":"23C","level":"misdemeanor","violent":false}]}
    """

let scenarios = try String(contentsOfFile: args[2], encoding: .utf8)
    .split(separator: "\n").map(String.init).filter { !$0.isEmpty }.map(Scenario.init)

// ---------------------------------------------------------------------- scenarios
var files: [String] = []
for s in scenarios where !files.contains(s.program) { files.append(s.program) }
for file in files {
    let group = scenarios.filter { $0.program == file }
    test("scenarios of \(file) (\(group.count)) decide as in the Rust tests") {
        let router = Router(program: try Program.fromFile(path: "\(root)/examples/programs/\(file)"))
        var failures: [String] = []
        for s in group {
            failures += problems(s, try router.routeJson(json: s.encounter)).map { "\(s.name): \($0)" }
        }
        try check(failures.isEmpty, failures.joined(separator: "\n  "))
    }
}
test("at least three example programs have scenarios") {
    try check(files.count >= 3, "too few programs")
}

// ---------------------------------------------------------------------- programs and decisions
test("a program loads from TOML and JSON alike") {
    let p = try program("lead-king-county")
    try checkEq(p.id(), "lead-king-county", "id")
    try check(p.hash().hasPrefix("sha256:"), p.hash())
    try check(!p.pathways().isEmpty, "no pathways")
    try checkEq(p.timezone(), "America/Los_Angeles", "timezone")
    let again = try Program.fromJson(text: p.toJson(), name: "lead.json")
    try checkEq(again.pathways(), p.pathways(), "pathways from JSON")
}

test("an encounter record and its JSON give the same decision, with every field") {
    let router = Router(program: try program("lead-king-county"))
    let d = try router.route(encounter: lead())
    try checkEq(d, try router.routeJson(json: leadJson), "decision")
    try checkEq(d.encounterId, "e-1", "encounterId")
    try checkEq(d.program.id, "lead-king-county", "program.id")
    try checkEq(d.program.hash, router.programHash(), "program.hash")
    try checkEq(d.intercept, .lawEnforcement, "intercept")
    try checkEq(d.intercept.number(), 1, "intercept number")
    try checkEq(d.disposition, .preArrestDiversion, "disposition")
    guard let first = d.eligible.first else { throw Failure(description: "nothing eligible") }
    try checkEq(first.pathway, .officerIntervention, "first pathway")
    try checkEq(first.rank, 1, "rank")
    try check(!first.rule.isEmpty, "no rule")
    try check(first.chargeHold == nil && first.providers == nil, "hold or providers")
    for i in d.ineligible {
        try check(!i.reasons.isEmpty, "\(i.pathway): no reasons")
        for r in i.reasons { try check(!r.rule.isEmpty && !r.clause.isEmpty && !r.because.isEmpty, "\(r)") }
    }
    try checkEq(try d.toJson(), try router.routeJsonToJson(json: leadJson), "audit JSON")
    try checkEq(try decisionFromJson(json: try d.toJson()), d, "decision read back")
    let explanation = try d.explain()
    try check(explanation.contains("officer intervention"), explanation)
    try checkEq(try encounterFromJson(json: leadJson), lead(), "encounter from JSON")
    try checkEq(try encounterFromJson(json: try lead().toJson()), lead(), "encounter round trip")
}

test("a decision says what is missing, with evidence, and how its intercept was decided") {
    let router = Router(program: try program("pad-acc-leon-county"))
    let d = try router.routeJson(json: padJson.replacingOccurrences(of: "\"history\":[],", with: ""))
    try check(d.disposition == .none, "disposition \(d.disposition)")
    try check(d.interceptBasis == .policeResponder, "interceptBasis \(d.interceptBasis)")
    try check(d.needsInformation.map { $0.field } == ["history"], "needsInformation \(d.needsInformation)")
    try check(d.needsInformation[0].pathways == [.officerIntervention], "decides")
    let said = try d.explain()
    try check(said.contains("Record `history` to decide officer intervention"), said)
    try check(try decisionFromJson(json: try d.toJson()) == d, "read back")
    let felony = try router.routeJson(json: padJson.replacingOccurrences(of: "\"misdemeanor\"", with: "\"felony\""))
    let evidence = felony.ineligible.flatMap { $0.reasons }.flatMap { $0.evidence }
    guard let level = evidence.first(where: { $0.field == "level" }) else {
        throw Failure(description: "no evidence reads level: \(evidence)")
    }
    try check(level.value == "felony" && level.limit == "misdemeanor", "value and limit \(level)")
    try check(level.offense?.nibrs == "23C", "offence \(String(describing: level.offense))")
    try check(level.depth > 0, "depth \(level.depth)")
    try check(try decisionFromJson(json: try felony.toJson()) == felony, "evidence read back")
}

test("a trace shows every clause with the value it read") {
    let router = Router(program: try program("qrt-hamilton-county"))
    let late = """
        {"id":"t-1","at":"2026-03-09T10:00:00-05:00","responder":"peer",
         "source":"overdose_follow_up","overdose":{"at":"2026-03-01T10:00:00-05:00","naloxone":true}}
        """
    let t = try router.trace(encounter: try encounterFromJson(json: late))
    try check(t.decision == (try router.routeJson(json: late)), "the trace's decision")
    let rule = t.pathways[0].rules[0]
    try check(rule.result == .false, "rule result \(rule.result)")
    guard let window = rule.clauses.first(where: { $0.clause.hasPrefix("since") }) else {
        throw Failure(description: "no window clause: \(rule.clauses)")
    }
    try check(window.value == "8d" && window.limit == "7d", "value and limit \(window)")
    try check(t.text.contains("Trace:"), t.text)
    try check(try router.traceJson(json: late).contains("\"pathways\""), "trace JSON")
}

test("a directory puts ranked partner options into decisions") {
    let p = try program("harvey-pd")
    let dir = try Directory.fromHsdsJson(
        text: try read("examples/providers/harvey-il.json"), name: "harvey-il.json", timezone: p.timezone())
    try check(dir.serviceCount() >= 8, "services: \(dir.serviceCount())")
    let router = try Router.withDirectory(program: p, directory: dir)
    try check(router.hasDirectory(), "no directory")
    let ids = Set(dir.serviceIds())
    var options = 0
    for line in try encounterLines("harvey-pd") {
        let d = try router.routeJson(json: line)
        for e in d.eligible {
            guard let ps = e.providers else { continue }
            for o in ps {
                options += 1
                try check(ids.contains(o.serviceId), "unknown service \(o.serviceId)")
                try check(!o.service.isEmpty && !o.organization.isEmpty && !o.reasons.isEmpty, "\(o)")
                if o.openNow { try check(o.nextOpen != nil, "open without a time: \(o)") }
            }
            if ps.isEmpty { try check(e.providerGap != nil, "no options and no gap") }
        }
        try checkEq(try decisionFromJson(json: try d.toJson()), d, "decision with providers read back")
    }
    try check(options > 0, "no provider options at all")
    let first = try router.routeJson(json: try encounterLines("harvey-pd")[0])
    guard let option = first.eligible.first?.providers?.first else { throw Failure(description: "no option") }
    let explanation = try first.explain()
    try check(explanation.contains(option.service), explanation)
    try router.updateCapacity(serviceId: option.serviceId, capacity: Capacity(available: 0, unit: "bed"))
    let e = try expectError("unknown service") { try router.updateCapacity(serviceId: "no-such-service", capacity: nil) }
    guard case .InvalidArgument = e else { throw Failure(description: "\(e)") }
}

/// The encounter with another language (records are immutable).
func speaking(_ e: Encounter, _ language: String) -> Encounter {
    Encounter(
        id: e.id, at: e.at, utcOffsetSeconds: e.utcOffsetSeconds, responder: e.responder, source: e.source, needs: e.needs,
        overdose: e.overdose, offenses: e.offenses, flags: e.flags, age: e.age, language: language,
        consent: e.consent, location: e.location, intercept: e.intercept, attributes: e.attributes)
}

test("a language is matched however it is written: es, ES and Spanish as spa") {
    let p = try program("harvey-pd")
    let dir = try Directory.fromHsdsJson(
        text: try read("examples/providers/harvey-il.json"), name: "harvey-il.json", timezone: p.timezone())
    let router = try Router.withDirectory(program: p, directory: dir)
    guard let line = try encounterLines("harvey-pd").first(where: { $0.contains("\"language\":\"spa\"") }) else {
        throw Failure(description: "no Spanish-speaking encounter in the Harvey examples")
    }
    let spa = try router.routeJson(json: line)
    let partners = spa.eligible.flatMap { $0.providers ?? [] }
    try check(!partners.isEmpty, "no partner options for spa")
    let record = try encounterFromJson(json: line)
    for language in ["es", "ES", "Spanish", "SPA"] {
        let json = line.replacingOccurrences(of: "\"language\":\"spa\"", with: "\"language\":\"\(language)\"")
        try checkEq(try router.routeJson(json: json).eligible, spa.eligible, "JSON with \(language)")
        try checkEq(try router.route(encounter: speaking(record, language)).eligible, spa.eligible, "record with \(language)")
    }
    let e = try expectError("unknown language") { _ = try router.route(encounter: speaking(record, "Klingonish")) }
    guard case let .InvalidEncounter(field, detail, _, _) = e else { throw Failure(description: "\(e)") }
    try checkEq(field, "language", "field of an unknown language")
    try check(!detail.contains("Klingonish"), "the error repeats the value: \(detail)")
}

/// The encounter's decision, or a failure naming what came instead.
func decision(_ answer: BatchAnswer) throws -> Decision {
    guard case let .decided(decision) = answer else { throw Failure(description: "refused: \(answer)") }
    return decision
}

/// Where and why the encounter was refused, or a failure naming what came instead.
func refusal(_ answer: BatchAnswer) throws -> (field: String, detail: String, line: UInt32?) {
    guard case let .refused(field, detail, line, _) = answer else {
        throw Failure(description: "decided: \(answer)")
    }
    return (field, detail, line)
}

test("a batch routes like single calls, one answer per encounter") {
    let router = Router(program: try program("lead-king-county"))
    let lines = try encounterLines("lead-king-county")
    let single = try lines.map { try router.routeJson(json: $0) }
    try checkEq(try router.routeBatchJson(jsons: lines).map(decision), single, "batch of JSON")
    let records = try lines.map { try encounterFromJson(json: $0) }
    try checkEq(try router.routeBatch(encounters: records).map(decision), single, "batch of records")
    try checkEq(try router.routeBatch(encounters: []).count, 0, "empty batch")
}

test("a bad encounter in a batch is refused alone, by index and field, never by value") {
    let router = Router(program: try program("lead-king-county"))
    let old = lead(at: date("1800-03-02T14:05:00-08:00"))
    let answers = try router.routeBatch(encounters: [lead(), old, lead(), lead(nibrs: "Jane Doe"), lead()])
    try checkEq(answers.count, 5, "one answer per encounter")
    let alone = try router.route(encounter: lead())
    for i in [0, 2, 4] { try checkEq(try decision(answers[i]), alone, "answer \(i)") }
    let refused = try answers.enumerated().filter {
        if case .refused = $0.element { return true } else { return false }
    }.map { (index: $0.offset, refusal: try refusal($0.element)) }
    try checkEq(refused.map { $0.index }, [1, 3], "refused indexes")
    try checkEq(refused.map { $0.refusal.field }, ["at", "offenses[0].nibrs"], "refused fields")
    for r in refused {
        try check(!r.refusal.detail.contains("1800") && !r.refusal.detail.contains("Jane"),
                  "answer \(r.index) repeats the value: \(r.refusal.detail)")
    }
    // The same words as a single call throws.
    let e = try expectError("1800 alone") { _ = try router.route(encounter: old) }
    guard case let .InvalidEncounter(_, detail, _, _) = e else { throw Failure(description: "\(e)") }
    try checkEq(refused[0].refusal.detail, detail, "detail of 1800")

    // JSON: a text that does not parse is refused with its line; 1800 names `at`.
    let jsonAnswers = try router.routeBatchJson(jsons: [
        leadJson, "{\n\"id\": ", leadJson.replacingOccurrences(of: "2026-03-02", with: "1800-03-02"), leadJson,
    ])
    try checkEq(jsonAnswers.count, 4, "one answer per text")
    _ = try decision(jsonAnswers[0])
    _ = try decision(jsonAnswers[3])
    try checkEq(try refusal(jsonAnswers[1]).line, 2, "line of the broken text")
    let oldJson = try refusal(jsonAnswers[2])
    try checkEq(oldJson.field, "at", "field of 1800")
    try check(!oldJson.detail.contains("1800"), "the refusal repeats the value: \(oldJson.detail)")
}

// ---------------------------------------------------------------------- times
test("times are Dates, and a decision keeps the clocks it was made on") {
    let router = Router(program: try program("pad-acc-leon-county"))
    let enc = try encounterFromJson(json: padJson)
    try checkEq(enc.at, date("2026-05-20T13:00:00Z"), "at as a Date")
    try checkEq(enc.utcOffsetSeconds, -4 * 3600, "the encounter's offset")
    guard let hold = try router.route(encounter: enc).eligible.first?.chargeHold else {
        throw Failure(description: "no hold")
    }
    // Ninety days on the program's clock (Tallahassee, still on daylight time in August).
    try checkEq(hold.deadline, zoned("2026-08-18T09:00:00-04:00"), "deadline")
    let local = DateFormatter()
    local.dateFormat = "yyyy-MM-dd HH:mm"
    local.timeZone = TimeZone(secondsFromGMT: Int(hold.deadline.utcOffsetSeconds))
    try checkEq(local.string(from: hold.deadline.instant), "2026-08-18 09:00", "read on the program's clock")
    // A history day is YYYY-MM-DD text in Swift.
    let history = [HistoryEvent(kind: .arrest, date: "2024-01-31", nibrs: "35A", level: .misdemeanor)]
    let withHistory = Encounter(
        id: enc.id, at: enc.at, utcOffsetSeconds: enc.utcOffsetSeconds, responder: enc.responder,
        source: enc.source, offenses: enc.offenses, age: enc.age, history: history)
    try checkEq(try encounterFromJson(json: try withHistory.toJson()).history?.first?.date, "2024-01-31", "history date")
}

// ---------------------------------------------------------------------- cases
test("a case moves along legal edges, from a decision with a charge hold") {
    let router = Router(program: try program("pad-acc-leon-county"))
    let enc = try encounterFromJson(json: padJson)
    let d = try router.route(encounter: enc)
    guard let hold = d.eligible.first?.chargeHold else { throw Failure(description: "no hold") }
    try checkEq(hold.term, "90d", "term")
    let c = try Case.open(encounter: enc, pathway: d.eligible[0])
    try checkEq(c.status(), .referred, "status")
    try checkEq(c.charges(), .held, "charges")
    try checkEq(c.chargeHoldDeadline(), hold.deadline, "deadline")
    try c.apply(event: .accept, at: date("2026-05-21T09:00:00-04:00"))
    try c.apply(event: .engage, at: date("2026-05-22T09:00:00-04:00"))
    try c.apply(event: .complete, at: date("2026-07-01T09:00:00-04:00"))
    try check(!c.isClosed(), "closed while charges are held")
    try checkEq(try c.availableEvents(at: date("2026-07-02T09:00:00-04:00")), [.dropCharges], "available")
    try c.apply(event: .dropCharges, at: date("2026-07-02T09:00:00-04:00"))
    try check(c.isClosed(), "not closed")
    try checkEq(c.charges(), .dropped, "charges")
    let h = c.history()
    try checkEq(h.count, 4, "history")
    try checkEq(h[0].from, .referral(status: .referred), "from")
    try checkEq(h[0].to, .referral(status: .accepted), "to")
    try checkEq(h[3].to, .charges(status: .dropped), "last to")
    try checkEq(try Case.fromJson(json: try c.toJson()).history(), h, "history read back")
    try check(caseGraphMermaid().contains("referred"), "mermaid")
}

test("an illegal transition throws and leaves the case as it was") {
    let c = try Case(encounterId: "e-2", pathway: .selfReferral, at: date("2026-01-01T12:00:00Z"), chargeHoldDeadline: nil)
    let e = try expectError("complete from referred") { try c.apply(event: .complete, at: date("2026-01-02T12:00:00Z")) }
    guard case let .IllegalTransition(from, event, allowed, detail) = e else { throw Failure(description: "\(e)") }
    try checkEq(event, .complete, "event")
    try checkEq(from, .referral(status: .referred), "from")
    try checkEq(allowed, [.accept, .decline], "allowed")
    try check(detail.contains("allowed from here"), detail)
    try checkEq(c.status(), .referred, "status")
    try checkEq(c.history().count, 0, "history")
    let noHold = try expectError("charges without a hold") { try c.apply(event: .fileCharges, at: date("2026-01-02T12:00:00Z")) }
    guard case .CaseRefused = noHold else { throw Failure(description: "\(noHold)") }
    try c.apply(event: .accept, at: date("2026-01-03T12:00:00Z"))
    let late = try expectError("out of order") { try c.apply(event: .engage, at: date("2026-01-02T12:00:00Z")) }
    guard case .CaseRefused = late else { throw Failure(description: "\(late)") }
    let badTime = try expectError("bad time") { try c.apply(event: .engage, at: farFuture) }
    guard case .InvalidArgument = badTime else { throw Failure(description: "\(badTime)") }
    let tampered = try expectError("tampered case") {
        _ = try Case.fromJson(json: try c.toJson().replacingOccurrences(of: "\"accepted\"", with: "\"completed\""))
    }
    guard case .CaseRefused = tampered else { throw Failure(description: "\(tampered)") }
}

// ---------------------------------------------------------------------- errors
test("a bad program throws InvalidProgram with line and column") {
    let text = "[program]\nid = \"demo\"\njurisdiction = \"Example County\"\ntimezone = \"America/Chicago\"\n\n"
        + "[[pathways]]\npathway = \"self_referral\"\n[[pathways.rules]]\nid = \"asks\"\nwhen = \"sorce == self_initiated\"\n"
    let e = try expectError("typo in a rule") { _ = try Program.fromToml(text: text, name: "demo.toml") }
    guard case let .InvalidProgram(line, column, detail, diagnostics) = e else { throw Failure(description: "\(e)") }
    try checkEq(line, 10, "line")
    try checkEq(column, 9, "column")
    try check(!detail.isEmpty && !diagnostics.isEmpty, "no detail or diagnostics")
    try check(e.describe().hasPrefix("demo.toml:10:9:"), e.describe())
    let broken = try expectError("broken TOML") { _ = try Program.fromToml(text: "[program\nid = 1", name: "b.toml") }
    guard case let .InvalidProgram(brokenLine, _, _, _) = broken, brokenLine >= 1 else {
        throw Failure(description: "\(broken)")
    }
    let json = try expectError("broken JSON") { _ = try Program.fromJson(text: "{", name: "p.json") }
    guard case .InvalidProgram = json else { throw Failure(description: "\(json)") }
    let io = try expectError("missing file") { _ = try Program.fromFile(path: "/nonexistent/p.toml") }
    guard case .Io = io else { throw Failure(description: "\(io)") }
}

test("malformed encounters throw InvalidEncounter, never crash") {
    let router = Router(program: try program("lead-king-county"))
    let junk = [
        "", "{", "null", "[]", "\u{0}", String(repeating: "[", count: 100_000),
        String(repeating: "{\"id\":1}", count: 1000),
        #"{"id":"e","at":"yesterday"}"#,
        #"{"id":"","at":"2026-03-02T14:05:00-08:00"}"#,
        #"{"id":"e","at":"2026-03-02T14:05:00-08:00","age":-1}"#,
        #"{"id":"e","at":"2026-03-02T14:05:00-08:00","location":{"lat":1e999,"lon":0}}"#,
        #"{"id":"e","at":"2026-03-02T14:05:00-08:00","offenses":[{"nibrs":"JaneDoe","level":"felony"}]}"#,
    ]
    for j in junk {
        let e = try expectError(String(j.prefix(40))) { _ = try router.routeJson(json: j) }
        guard case .InvalidEncounter = e else { throw Failure(description: "\(j.prefix(40)): \(e)") }
        try check(!e.describe().contains("JaneDoe"), e.describe())
    }
    let badRecords: [(String, Encounter)] = [
        ("at", lead(at: farFuture)),
        ("utc_offset_seconds", lead(utcOffsetSeconds: 25 * 3600)),
        ("offenses[0].nibrs", lead(nibrs: "Jane Doe")),
        ("location.lat", lead(location: Location(lat: 91, lon: 0))),
        ("location.lon", lead(location: Location(lat: 0, lon: .nan))),
        ("age", lead(age: 200)),
        ("id", lead(id: "")),
        ("overdose.at", lead(overdose: Overdose(at: date("2027-01-01T00:00:00Z"), naloxone: true))),
    ]
    for (expected, record) in badRecords {
        let e = try expectError(expected) { _ = try router.route(encounter: record) }
        guard case let .InvalidEncounter(field, _, _, _) = e else { throw Failure(description: "\(e)") }
        try checkEq(field, expected, "field")
        try check(!e.describe().contains("Jane"), e.describe())
    }
    _ = try expectError("encounterFromJson") { _ = try encounterFromJson(json: "{}") }
}

test("malformed directories, decisions and times throw, never crash") {
    for text in ["", "{", "null", "42", #"{"services": 7}"#] {
        let e = try expectError(text) { _ = try Directory.fromHsdsJson(text: text, name: "d.json", timezone: nil) }
        guard case .InvalidDirectory = e else { throw Failure(description: "\(text): \(e)") }
    }
    _ = try expectError("bad zone") { _ = try Directory.fromHsdsJson(text: "[]", name: "d.json", timezone: "Mars/Base") }
    let garbage = try expectError("decision") { _ = try decisionFromJson(json: "garbage") }
    guard case .InvalidArgument = garbage else { throw Failure(description: "\(garbage)") }
    let d = try Router(program: try program("pad-acc-leon-county")).routeJson(json: padJson)
    let e0 = d.eligible[0]
    let brokenPathway = EligiblePathway(
        pathway: e0.pathway, rank: e0.rank, rule: e0.rule,
        chargeHold: ChargeHold(term: "90d", deadline: ZonedTime(instant: Date(), utcOffsetSeconds: 25 * 3600)),
        providers: e0.providers, providerGap: e0.providerGap)
    let broken = Decision(
        encounterId: d.encounterId, program: d.program, intercept: d.intercept,
        disposition: d.disposition, eligible: [brokenPathway], ineligible: d.ineligible, warnings: d.warnings,
        interceptBasis: d.interceptBasis, needsInformation: d.needsInformation)
    let e = try expectError("bad deadline") { _ = try broken.toJson() }
    guard case let .InvalidArgument(field, _) = e else { throw Failure(description: "\(e)") }
    try checkEq(field, "eligible[0].charge_hold.deadline.utc_offset_seconds", "field")
    _ = try expectError("bad case time") {
        _ = try Case(encounterId: "e", pathway: .selfReferral, at: farFuture, chargeHoldDeadline: nil)
    }
}

// ---------------------------------------------------------------------- threads
test("eight threads route concurrently on one Router") {
    let p = try program("harvey-pd")
    let dir = try Directory.fromHsdsJson(
        text: try read("examples/providers/harvey-il.json"), name: "harvey-il.json", timezone: p.timezone())
    let router = try Router.withDirectory(program: p, directory: dir)
    let lines = try encounterLines("harvey-pd")
    let expected = try lines.map { try router.routeJson(json: $0) }
    final class Tally: @unchecked Sendable {
        let lock = NSLock()
        var agreed = 0
        func add() { lock.lock(); agreed += 1; lock.unlock() }
    }
    let tally = Tally()
    let group = DispatchGroup()
    for _ in 0..<8 {
        group.enter()
        let thread = Thread {
            var ok = true
            for _ in 0..<100 {
                for (line, want) in zip(lines, expected) where (try? router.routeJson(json: line)) != want {
                    ok = false
                }
            }
            if ok { tally.add() }
            group.leave()
        }
        thread.start()
    }
    try check(group.wait(timeout: .now() + 120) == .success, "threads did not finish")
    try checkEq(tally.agreed, 8, "threads agree")
}

// ---------------------------------------------------------------------- speed (reported, not judged)
if failed == 0, let router = try? Router(program: program("lead-king-county")) {
    func medianMicros(_ calls: Int, _ body: () throws -> Void) rethrows -> Double {
        for _ in 0..<calls { try body() }
        var times: [UInt64] = []
        times.reserveCapacity(calls)
        for _ in 0..<calls {
            let t0 = DispatchTime.now().uptimeNanoseconds
            try body()
            times.append(DispatchTime.now().uptimeNanoseconds - t0)
        }
        times.sort()
        return Double(times[calls / 2]) / 1000.0
    }
    let encounter = lead()
    let record = try medianMicros(20_000) { _ = try router.route(encounter: encounter) }
    let json = try medianMicros(20_000) { _ = try router.routeJsonToJson(json: leadJson) }
    let batch = (0..<1000).map { lead(id: "e-\($0)") }
    let perEncounter = try medianMicros(50) { _ = try router.routeBatch(encounters: batch) } / Double(batch.count)
    print("bench: route(lead-king-county) from Swift, median of 20000 calls: record in, Decision out "
        + String(format: "%.2f", record) + " µs; JSON in, JSON out " + String(format: "%.2f", json)
        + " µs; routeBatch of 1000 records " + String(format: "%.2f", perEncounter) + " µs per encounter")
}

print("\(passed) passed, \(failed) failed")
exit(failed == 0 ? 0 : 1)
