// Routes one encounter through Hamilton County's Quick Response Team program, matching partner
// services from the county's HSDS directory, and prints the decision in sentences.
// scripts/test-kotlin compiles and runs it:
//
//   java -cp offramp.jar:example.jar:jna.jar:kotlin-stdlib.jar RouteAndExplainKt REPO_ROOT

import org.offramp.*
import java.io.File

fun main(args: Array<String>) {
    val root = File(args.getOrElse(0) { "." })
    val program = Program.fromFile(File(root, "examples/programs/qrt-hamilton-county.toml").path)
    val directory = Directory.fromHsdsJson(
        File(root, "examples/providers/hamilton-county.json").readText(),
        "hamilton-county.json",
        program.timezone(),
    )
    val router = Router.withDirectory(program, directory)

    // A peer recovery specialist visits someone the morning after an overdose.
    val encounter = Encounter(
        id = "e-1",
        at = "2026-03-02T10:00:00-05:00",
        responder = Responder.PEER,
        source = Source.OVERDOSE_FOLLOW_UP,
        needs = listOf(Need.OPIOID_USE),
        overdose = Overdose(at = "2026-03-01T22:00:00-05:00", naloxone = true),
    )
    try {
        val decision = router.route(encounter)
        println(decision.explain())
    } catch (e: OfframpException) {
        System.err.println(e.describe())
        kotlin.system.exitProcess(1)
    }
}
