// Routes one encounter through Hamilton County's Quick Response Team program, matching partner
// services from the county's HSDS directory, and prints the decision in sentences.
// scripts/test-swift compiles and runs it:
//
//   ./route-and-explain REPO_ROOT

import Foundation
import Offramp

let root = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "."

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
        at: "2026-03-02T10:00:00-05:00",
        responder: .peer,
        source: .overdoseFollowUp,
        needs: [.opioidUse],
        overdose: Overdose(at: "2026-03-01T22:00:00-05:00", naloxone: true))
    print(try router.route(encounter: encounter).explain())
} catch let error as OfframpError {
    FileHandle.standardError.write(Data((error.describe() + "\n").utf8))
    exit(1)
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(1)
}
