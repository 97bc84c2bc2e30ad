// Routes one encounter through Hamilton County's Quick Response Team program, matching partner
// services from the county's HSDS directory, and prints the decision in sentences; then routes
// a day's follow-ups in one batch, one of them refused.
// scripts/test-swift compiles and runs it:
//
//   ./route-and-explain REPO_ROOT

import Foundation
import Offramp

let root = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "."

/// Cincinnati's clock in March (Eastern Standard Time), in seconds east of UTC.
let clock: Int32 = -5 * 3600

/// A time as the team's tablet records it, on the local clock.
func at(_ local: String) -> Date {
    let format = DateFormatter()
    format.locale = Locale(identifier: "en_US_POSIX")
    format.timeZone = TimeZone(secondsFromGMT: Int(clock))
    format.dateFormat = "yyyy-MM-dd'T'HH:mm"
    guard let date = format.date(from: local) else { fatalError("not a local time: \(local)") }
    return date
}

do {
    let program = try Program.fromFile(path: "\(root)/examples/programs/qrt-hamilton-county.toml")
    let directory = try Directory.fromHsdsJson(
        text: try String(contentsOfFile: "\(root)/examples/providers/hamilton-county.json", encoding: .utf8),
        name: "hamilton-county.json",
        timezone: program.timezone())
    let router = try Router.withDirectory(program: program, directory: directory)

    // A peer recovery specialist visits someone the morning after an overdose.
    let encounter = Encounter(
        id: "e-1",
        at: at("2026-03-02T10:00"),
        utcOffsetSeconds: clock,
        responder: .peer,
        source: .overdoseFollowUp,
        needs: [.opioidUse],
        overdose: Overdose(at: at("2026-03-01T22:00"), naloxone: true))
    print(try router.route(encounter: encounter).explain())

    // The team's follow-ups of the day, in one batch. One was keyed with a two-digit year
    // (0026): it is refused alone, naming the field (never the value); the others are decided.
    func followUp(_ id: String, at time: Date) -> Encounter {
        Encounter(
            id: id, at: time, utcOffsetSeconds: clock, responder: encounter.responder, source: encounter.source,
            needs: encounter.needs, overdose: encounter.overdose)
    }
    let day = [encounter, followUp("e-2", at: at("0026-03-02T11:00")),
               followUp("e-3", at: at("2026-03-02T12:30"))]
    for (i, answer) in try router.routeBatch(encounters: day).enumerated() {
        switch answer {
        case let .decided(decision): print("encounter \(i): \(decision.disposition)")
        case let .refused(field, detail, _, _): print("encounter \(i) refused: \(field): \(detail)")
        }
    }
} catch let error as OfframpError {
    FileHandle.standardError.write(Data((error.describe() + "\n").utf8))
    exit(1)
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(1)
}
