// Routes one encounter through Hamilton County's Quick Response Team program, matching partner
// services from the county's HSDS directory, and prints the decision in sentences; then routes
// a day's follow-ups in one batch, one of them refused.
// scripts/test-kotlin compiles and runs it:
//
//   java -cp offramp.jar:example.jar:jna.jar:kotlin-stdlib.jar RouteAndExplainKt REPO_ROOT

import org.offramp.*
import java.io.File
import java.time.Instant
import java.time.LocalDateTime
import java.time.ZoneOffset

/** Cincinnati's clock in March (Eastern Standard Time). */
val clock: ZoneOffset = ZoneOffset.ofHours(-5)

/** A time as the team's tablet records it, on the local clock. */
fun at(local: String): Instant = LocalDateTime.parse(local).atOffset(clock).toInstant()

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
        at = at("2026-03-02T10:00"),
        utcOffsetSeconds = clock.totalSeconds,
        responder = Responder.PEER,
        source = Source.OVERDOSE_FOLLOW_UP,
        needs = listOf(Need.OPIOID_USE),
        overdose = Overdose(at = at("2026-03-01T22:00"), naloxone = true),
    )
    try {
        val decision = router.route(encounter)
        println(decision.explain())

        // The team's follow-ups of the day, in one batch. One was keyed with a two-digit year
        // (0026): it is refused alone, naming the field (never the value); the others are decided.
        val day = listOf(
            encounter,
            encounter.copy(id = "e-2", at = at("0026-03-02T11:00")),
            encounter.copy(id = "e-3", at = at("2026-03-02T12:30")),
        )
        router.routeBatch(day).forEachIndexed { i, answer ->
            when (answer) {
                is BatchAnswer.Decided -> println("encounter $i: ${answer.decision.disposition}")
                is BatchAnswer.Refused -> println("encounter $i refused: ${answer.field}: ${answer.detail}")
            }
        }
    } catch (e: OfframpException) {
        System.err.println(e.describe())
        kotlin.system.exitProcess(1)
    }
}
