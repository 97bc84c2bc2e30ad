// Tests of the Kotlin bindings, run on the JVM with JNA against the real cdylib.
//
// Usage: java ... OfframpTestKt REPO_ROOT SCENARIOS_TSV
// It prints one line per test and ends with "N passed, N failed"; the exit status is 1 on any
// failure.

import org.offramp.*
import java.io.File
import java.time.Instant
import java.time.LocalDate
import java.time.OffsetDateTime
import java.time.ZoneOffset
import java.util.concurrent.Callable
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import kotlin.system.exitProcess

var passed = 0
var failed = 0

fun test(name: String, body: () -> Unit) {
    try {
        body()
        passed++
        println("ok     $name")
    } catch (e: Throwable) {
        failed++
        println("FAILED $name: $e")
        e.printStackTrace(System.out)
    }
}

fun check(condition: Boolean, message: () -> String = { "check failed" }) {
    if (!condition) throw AssertionError(message())
}

fun <T> checkEq(got: T, expected: T, what: String = "value") {
    if (got != expected) throw AssertionError("$what: got <$got>, expected <$expected>")
}

inline fun <reified T : Throwable> expectThrows(what: String, block: () -> Unit): T {
    try {
        block()
    } catch (e: Throwable) {
        if (e is T) return e
        throw AssertionError("$what: expected ${T::class.simpleName}, got $e")
    }
    throw AssertionError("$what: expected ${T::class.simpleName}, nothing was thrown")
}

/** An RFC 3339 time as the instant the records take. */
fun instant(text: String): Instant = OffsetDateTime.parse(text).toInstant()

/** The clock time a ZonedTime stands for. */
fun ZonedTime.toOffsetDateTime(): OffsetDateTime = instant.atOffset(ZoneOffset.ofTotalSeconds(utcOffsetSeconds))

lateinit var root: File

fun programText(name: String) = File(root, "examples/programs/$name.toml").readText()
fun program(name: String) = Program.fromToml(programText(name), "$name.toml")
fun encounterLines(name: String) =
    File(root, "examples/encounters/$name.jsonl").readLines().filter { it.isNotBlank() }

/** One hand-checked scenario, as tests/scenarios-to-tsv.py writes it. */
class Scenario(line: String) {
    private val cells = line.split("\t")
    val program = cells[0]
    val name = cells[1]
    val encounter = cells[2]
    val disposition = cells[3]
    val eligible = cells[4].split(",").filter { it.isNotEmpty() }
    val intercept = cells[5].toIntOrNull()
    val ineligible = cells[6].split(";").filter { it.isNotEmpty() }.map {
        val (pathway, rule) = it.split("=", limit = 2)
        pathway to rule
    }
    val chargeHoldDeadline = cells[7].ifEmpty { null }
    val warnings = cells[8].split(",").filter { it.isNotEmpty() }
    val needsInformation = cells[9].split(",").filter { it.isNotEmpty() }
    val because = cells[10].split("|").filter { it.isNotEmpty() }.map {
        val (pathway, words) = it.split("=", limit = 2)
        pathway to words
    }
}

/** The checks of tests/scenarios.rs, on a decision that came through the bindings. */
fun problems(s: Scenario, d: Decision): List<String> {
    val out = mutableListOf<String>()
    if (d.disposition.jsonName() != s.disposition) {
        out += "disposition ${d.disposition.jsonName()} (expected ${s.disposition})"
    }
    val eligible = d.eligible.map { it.pathway.jsonName() }
    if (eligible != s.eligible) out += "eligible $eligible (expected ${s.eligible})"
    if (s.intercept != null && d.intercept.number().toInt() != s.intercept) {
        out += "intercept ${d.intercept.number()} (expected ${s.intercept})"
    }
    for ((pathway, rule) in s.ineligible) {
        val found = d.ineligible.find { it.pathway.jsonName() == pathway }
        if (found == null) {
            out += "$pathway is not among the ineligible"
        } else {
            if (found.reasons.none { it.rule == rule }) out += "$pathway: no reason names $rule"
            if (found.reasons.any { it.because.isEmpty() }) out += "$pathway: a reason has no words"
        }
    }
    if (s.chargeHoldDeadline != null) {
        // Equal as OffsetDateTime: the same instant, read on the same clock.
        val got = d.eligible.mapNotNull { it.chargeHold?.deadline?.toOffsetDateTime() }
        val expected = OffsetDateTime.parse(s.chargeHoldDeadline)
        if (expected !in got) out += "charge hold deadlines $got (expected $expected)"
    }
    for (w in s.warnings) {
        if (d.warnings.none { it.code.jsonName() == w }) out += "warning $w missing"
    }
    val needs = d.needsInformation.map { it.field }
    if (needs != s.needsInformation) out += "needsInformation $needs (expected ${s.needsInformation})"
    for ((pathway, words) in s.because) {
        val reasons = d.ineligible.filter { it.pathway.jsonName() == pathway }.flatMap { it.reasons }
        if (reasons.none { it.because.contains(words) }) out += "$pathway: no reason says \"$words\""
    }
    return out
}

val leadRecord = Encounter(
    id = "e-1",
    at = instant("2026-03-02T14:05:00-08:00"),
    utcOffsetSeconds = -8 * 3600,
    responder = Responder.LAW_ENFORCEMENT,
    source = Source.CALL_FOR_SERVICE,
    needs = listOf(Need.SUD),
    offenses = listOf(Offense(nibrs = "35A", level = Level.MISDEMEANOR, violent = false)),
)

const val LEAD_JSON = """{"id": "e-1", "at": "2026-03-02T14:05:00-08:00",
    "responder": "law_enforcement", "source": "call_for_service", "needs": ["sud"],
    "offenses": [{"nibrs": "35A", "level": "misdemeanor", "violent": false}]}"""

const val PAD_JSON = """{"id":"e-9","at":"2026-05-20T09:00:00-04:00","responder":"law_enforcement",
    "source":"on_view","age":30,"history":[],
    "offenses":[{"nibrs":"23C","level":"misdemeanor","violent":false}]}"""

fun main(args: Array<String>) {
    root = File(args[0])
    val scenarios = File(args[1]).readLines().filter { it.isNotBlank() }.map(::Scenario)

    // ------------------------------------------------------------------ scenarios
    for ((file, group) in scenarios.groupBy { it.program }) {
        test("scenarios of $file (${group.size}) decide as in the Rust tests") {
            val router = Router(Program.fromFile(File(root, "examples/programs/$file").path))
            val failures = group.flatMap { s ->
                problems(s, router.routeJson(s.encounter)).map { "${s.name}: $it" }
            }
            check(failures.isEmpty()) { failures.joinToString("\n  ") }
        }
    }
    test("at least three example programs have scenarios") {
        check(scenarios.map { it.program }.toSet().size >= 3) { "too few programs" }
    }

    // ------------------------------------------------------------------ programs and decisions
    test("a program loads from TOML and JSON alike") {
        val p = program("lead-king-county")
        checkEq(p.id(), "lead-king-county", "id")
        check(p.hash().startsWith("sha256:")) { p.hash() }
        check(p.pathways().isNotEmpty()) { "no pathways" }
        checkEq(p.timezone(), "America/Los_Angeles", "timezone")
        val again = Program.fromJson(p.toJson(), "lead.json")
        checkEq(again.id(), p.id(), "id from JSON")
        checkEq(again.pathways(), p.pathways(), "pathways from JSON")
    }

    test("an encounter record and its JSON give the same decision, with every field") {
        val router = Router(program("lead-king-county"))
        val d = router.route(leadRecord)
        checkEq(d, router.routeJson(LEAD_JSON), "decision")
        checkEq(d.encounterId, "e-1", "encounterId")
        checkEq(d.program.id, "lead-king-county", "program.id")
        checkEq(d.program.hash, router.programHash(), "program.hash")
        checkEq(d.intercept, Intercept.LAW_ENFORCEMENT, "intercept")
        checkEq(d.intercept.number().toInt(), 1, "intercept number")
        checkEq(d.disposition, Disposition.PRE_ARREST_DIVERSION, "disposition")
        val first = d.eligible.first()
        checkEq(first.pathway, Pathway.OFFICER_INTERVENTION, "first pathway")
        checkEq(first.rank, 1u, "rank")
        check(first.rule.isNotEmpty()) { "no rule" }
        checkEq(first.chargeHold, null, "charge hold")
        checkEq(first.providers, null, "providers without a directory")
        for (i in d.ineligible) {
            check(i.reasons.isNotEmpty()) { "${i.pathway}: no reasons" }
            for (r in i.reasons) check(r.rule.isNotEmpty() && r.clause.isNotEmpty() && r.because.isNotEmpty()) { "$r" }
        }
        checkEq(d.toJson(), router.routeJsonToJson(LEAD_JSON), "audit JSON")
        checkEq(decisionFromJson(d.toJson()), d, "decision read back")
        check(d.explain().contains("officer intervention")) { d.explain() }
        checkEq(encounterFromJson(LEAD_JSON), leadRecord, "encounter from JSON")
        checkEq(encounterFromJson(leadRecord.toJson()), leadRecord, "encounter round trip")
    }

    test("a decision says what is missing, with evidence, and how its intercept was decided") {
        val router = Router(program("pad-acc-leon-county"))
        // No history recorded: Leon's first-time rule cannot be decided.
        val d = router.routeJson(PAD_JSON.replace("\"history\":[],", ""))
        checkEq(d.disposition, Disposition.NONE, "disposition")
        checkEq(d.interceptBasis, InterceptBasis.POLICE_RESPONDER, "interceptBasis")
        checkEq(d.needsInformation.map { it.field }, listOf("history"), "needsInformation")
        checkEq(d.needsInformation[0].pathways, listOf(Pathway.OFFICER_INTERVENTION), "decides")
        check(d.explain().contains("Record `history` to decide officer intervention")) { d.explain() }
        checkEq(decisionFromJson(d.toJson()), d, "read back")
        // A reason's evidence: the offence and the limit that decided.
        val felony = router.routeJson(PAD_JSON.replace("\"misdemeanor\"", "\"felony\""))
        val evidence = felony.ineligible.flatMap { it.reasons }.flatMap { it.evidence }
        val level = evidence.first { it.field == "level" }
        checkEq(level.value, "felony", "value")
        checkEq(level.limit, "misdemeanor", "limit")
        checkEq(level.offense?.nibrs, "23C", "offence")
        check(level.depth > 0u) { "depth ${level.depth}" }
        checkEq(decisionFromJson(felony.toJson()), felony, "evidence read back")
    }

    test("a trace shows every clause with the value it read") {
        val router = Router(program("qrt-hamilton-county"))
        val late = """{"id":"t-1","at":"2026-03-09T10:00:00-05:00","responder":"peer",
            "source":"overdose_follow_up","overdose":{"at":"2026-03-01T10:00:00-05:00","naloxone":true}}"""
        val t = router.trace(encounterFromJson(late))
        checkEq(t.decision, router.routeJson(late), "the trace's decision")
        val rule = t.pathways[0].rules[0]
        checkEq(rule.result, Truth.FALSE, "rule result")
        val window = rule.clauses.first { it.clause.startsWith("since") }
        checkEq(window.value, "8d", "value")
        checkEq(window.limit, "7d", "limit")
        check(t.text.contains("Trace:")) { t.text }
        check(router.traceJson(late).contains("\"pathways\"")) { "trace JSON" }
    }

    test("a directory puts ranked partner options into decisions") {
        val p = program("harvey-pd")
        val dir = Directory.fromHsdsJson(
            File(root, "examples/providers/harvey-il.json").readText(), "harvey-il.json", p.timezone()
        )
        check(dir.serviceCount() >= 8u) { "services: ${dir.serviceCount()}" }
        val router = Router.withDirectory(p, dir)
        check(router.hasDirectory()) { "no directory" }
        val ids = dir.serviceIds().toSet()
        var options = 0
        for (line in encounterLines("harvey-pd")) {
            val d = router.routeJson(line)
            for (e in d.eligible) {
                val ps = e.providers ?: continue
                for (o in ps) {
                    options++
                    check(o.serviceId in ids) { "unknown service ${o.serviceId}" }
                    check(o.service.isNotEmpty() && o.organization.isNotEmpty()) { "$o" }
                    check(o.reasons.isNotEmpty()) { "no reasons: $o" }
                    if (o.openNow) check(o.nextOpen != null) { "open without a time: $o" }
                }
                if (ps.isEmpty()) check(e.providerGap != null) { "no options and no gap" }
            }
            checkEq(decisionFromJson(d.toJson()), d, "decision with providers read back")
        }
        check(options > 0) { "no provider options at all" }
        val first = router.routeJson(encounterLines("harvey-pd").first())
        val option = first.eligible.first().providers!!.first()
        check(first.explain().contains(option.service)) { first.explain() }
        router.updateCapacity(option.serviceId, Capacity(available = 0u, unit = "bed"))
        expectThrows<OfframpException.InvalidArgument>("unknown service") {
            router.updateCapacity("no-such-service", null)
        }
    }

    test("a language is matched however it is written: es, ES and Spanish as spa") {
        val p = program("harvey-pd")
        val dir = Directory.fromHsdsJson(
            File(root, "examples/providers/harvey-il.json").readText(), "harvey-il.json", p.timezone()
        )
        val router = Router.withDirectory(p, dir)
        val line = encounterLines("harvey-pd").first { "\"language\":\"spa\"" in it }
        val spa = router.routeJson(line)
        val partners = spa.eligible.flatMap { e -> e.providers.orEmpty().map { it.serviceId } }
        check(partners.isNotEmpty()) { "no partner options for spa" }
        val record = encounterFromJson(line)
        for (language in listOf("es", "ES", "Spanish", "SPA")) {
            val json = line.replace("\"language\":\"spa\"", "\"language\":\"$language\"")
            checkEq(router.routeJson(json).eligible, spa.eligible, "JSON with $language")
            checkEq(router.route(record.copy(language = language)).eligible, spa.eligible, "record with $language")
        }
        val e = expectThrows<OfframpException.InvalidEncounter>("unknown language") {
            router.route(record.copy(language = "Klingonish"))
        }
        checkEq(e.field, "language", "field of an unknown language")
        check("Klingonish" !in e.detail) { "the error repeats the value: ${e.detail}" }
    }

    test("a batch routes like single calls, one answer per encounter") {
        val router = Router(program("lead-king-county"))
        val lines = encounterLines("lead-king-county")
        val single = lines.map { BatchAnswer.Decided(router.routeJson(it)) }
        checkEq(router.routeBatchJson(lines), single, "batch of JSON")
        val records = lines.map { encounterFromJson(it) }
        checkEq(router.routeBatch(records), single, "batch of records")
        checkEq(router.routeBatch(emptyList()), emptyList<BatchAnswer>(), "empty batch")
    }

    test("a bad encounter in a batch is refused alone, by index and field, never by value") {
        val router = Router(program("lead-king-county"))
        val old = leadRecord.copy(at = instant("1800-03-02T14:05:00-08:00"))
        val unknownCode = leadRecord.copy(offenses = listOf(Offense("Jane Doe", Level.MISDEMEANOR, false)))
        val answers = router.routeBatch(listOf(leadRecord, old, leadRecord, unknownCode, leadRecord))
        checkEq(answers.size, 5, "one answer per encounter")
        val alone = router.route(leadRecord)
        for (i in listOf(0, 2, 4)) checkEq(answers[i], BatchAnswer.Decided(alone), "answer $i")
        val refused = answers.withIndex()
            .mapNotNull { (i, a) -> (a as? BatchAnswer.Refused)?.let { i to it } }
        checkEq(refused.map { (i, r) -> i to r.field }, listOf(1 to "at", 3 to "offenses[0].nibrs"), "refused")
        for ((i, r) in refused) {
            check("1800" !in r.detail && "Jane" !in r.detail) { "answer $i repeats the value: ${r.detail}" }
        }
        // The same words as a single call throws.
        val e = expectThrows<OfframpException.InvalidEncounter>("1800 alone") { router.route(old) }
        checkEq(refused[0].second.detail, e.detail, "detail of 1800")

        // JSON: a text that does not parse is refused with its line; 1800 names `at`.
        val jsonAnswers = router.routeBatchJson(listOf(
            LEAD_JSON, "{\n\"id\": ", LEAD_JSON.replace("2026-03-02", "1800-03-02"), LEAD_JSON))
        checkEq(jsonAnswers.map { it is BatchAnswer.Decided }, listOf(true, false, false, true), "decided")
        val broken = jsonAnswers[1] as BatchAnswer.Refused
        checkEq(broken.line, 2u, "line of the broken text")
        val oldJson = jsonAnswers[2] as BatchAnswer.Refused
        checkEq(oldJson.field, "at", "field of 1800")
        check("1800" !in oldJson.detail) { "the refusal repeats the value: ${oldJson.detail}" }
    }

    // ------------------------------------------------------------------ times
    test("times are java.time values, and a decision keeps the clocks it was made on") {
        val router = Router(program("pad-acc-leon-county"))
        val enc = encounterFromJson(PAD_JSON)
        checkEq(enc.at, instant("2026-05-20T13:00:00Z"), "at as an Instant")
        checkEq(enc.utcOffsetSeconds, -4 * 3600, "the encounter's offset")
        val hold = router.route(enc).eligible.first().chargeHold!!
        // Ninety days on the program's clock (Tallahassee, still on daylight time in August).
        checkEq(hold.deadline.toOffsetDateTime(), OffsetDateTime.parse("2026-08-18T09:00:00-04:00"), "deadline")
        // With no offset, the encounter is read on the program's clock: the same decision.
        checkEq(router.route(enc.copy(utcOffsetSeconds = null)).eligible.first().chargeHold, hold, "no offset")
        // A history day is a LocalDate both ways.
        val withHistory = enc.copy(history = listOf(HistoryEvent(HistoryKind.ARREST, LocalDate.of(2024, 1, 31), "35A", Level.MISDEMEANOR)))
        val back = encounterFromJson(withHistory.toJson())
        checkEq(back.history?.first()?.date, LocalDate.of(2024, 1, 31), "history date")
        check(withHistory.toJson().contains("\"2024-01-31\"")) { withHistory.toJson() }
        // Directory opening hours come back on the service's clock.
        val directory = Directory.fromFile(File(root, "examples/providers/hamilton-county.json").path, null)
        val qrt = Router.withDirectory(program("qrt-hamilton-county"), directory)
        val options = encounterLines("qrt-hamilton-county").map { qrt.routeJson(it) }
            .flatMap { d -> d.eligible.flatMap { it.providers ?: emptyList() } }
        val times = options.mapNotNull { it.nextOpen }
        check(times.isNotEmpty()) { "no opening times" }
        for (t in times) check(t.utcOffsetSeconds in listOf(-5 * 3600, -4 * 3600)) { "not on Ohio's clock: $t" }
    }

    // ------------------------------------------------------------------ cases
    test("a case moves along legal edges, from a decision with a charge hold") {
        val router = Router(program("pad-acc-leon-county"))
        val enc = encounterFromJson(PAD_JSON)
        val d = router.route(enc)
        val hold = d.eligible.first().chargeHold!!
        checkEq(hold.term, "90d", "term")
        val case = Case.open(enc, d.eligible.first())
        checkEq(case.status(), CaseStatus.REFERRED, "status")
        checkEq(case.charges(), ChargeStatus.HELD, "charges")
        checkEq(case.chargeHoldDeadline(), hold.deadline, "deadline")
        case.apply(CaseEvent.ACCEPT, instant("2026-05-21T09:00:00-04:00"))
        case.apply(CaseEvent.ENGAGE, instant("2026-05-22T09:00:00-04:00"))
        case.apply(CaseEvent.COMPLETE, instant("2026-07-01T09:00:00-04:00"))
        check(!case.isClosed()) { "closed while charges are held" }
        checkEq(case.availableEvents(instant("2026-07-02T09:00:00-04:00")), listOf(CaseEvent.DROP_CHARGES), "available")
        case.apply(CaseEvent.DROP_CHARGES, instant("2026-07-02T09:00:00-04:00"))
        check(case.isClosed()) { "not closed" }
        checkEq(case.charges(), ChargeStatus.DROPPED, "charges")
        val h = case.history()
        checkEq(h.size, 4, "history")
        checkEq(h[0].from, TrackState.Referral(CaseStatus.REFERRED), "from")
        checkEq(h[0].to, TrackState.Referral(CaseStatus.ACCEPTED), "to")
        checkEq(h[3].to, TrackState.Charges(ChargeStatus.DROPPED), "last to")
        checkEq(Case.fromJson(case.toJson()).history(), h, "history read back")
        check(caseGraphMermaid().contains("referred")) { "mermaid" }
    }

    test("an illegal transition throws and leaves the case as it was") {
        val case = Case("e-2", Pathway.SELF_REFERRAL, instant("2026-01-01T12:00:00Z"), null)
        val e = expectThrows<OfframpException.IllegalTransition>("complete from referred") {
            case.apply(CaseEvent.COMPLETE, instant("2026-01-02T12:00:00Z"))
        }
        checkEq(e.event, CaseEvent.COMPLETE, "event")
        checkEq(e.from, TrackState.Referral(CaseStatus.REFERRED), "from")
        checkEq(e.allowed, listOf(CaseEvent.ACCEPT, CaseEvent.DECLINE), "allowed")
        check(e.detail.contains("allowed from here")) { e.detail }
        checkEq(case.status(), CaseStatus.REFERRED, "status")
        checkEq(case.history().size, 0, "history")
        expectThrows<OfframpException.CaseRefused>("charges without a hold") {
            case.apply(CaseEvent.FILE_CHARGES, instant("2026-01-02T12:00:00Z"))
        }
        case.apply(CaseEvent.ACCEPT, instant("2026-01-03T12:00:00Z"))
        expectThrows<OfframpException.CaseRefused>("out of order") {
            case.apply(CaseEvent.ENGAGE, instant("2026-01-02T12:00:00Z"))
        }
        expectThrows<OfframpException.InvalidArgument>("bad time") {
            case.apply(CaseEvent.ENGAGE, Instant.MAX)
        }
        expectThrows<OfframpException.CaseRefused>("tampered case") {
            Case.fromJson(case.toJson().replace("\"accepted\"", "\"completed\""))
        }
    }

    // ------------------------------------------------------------------ errors
    test("a bad program throws InvalidProgram with line and column") {
        val text = "[program]\nid = \"demo\"\njurisdiction = \"Example County\"\ntimezone = \"America/Chicago\"\n\n" +
            "[[pathways]]\npathway = \"self_referral\"\n[[pathways.rules]]\nid = \"asks\"\nwhen = \"sorce == self_initiated\"\n"
        val e = expectThrows<OfframpException.InvalidProgram>("typo in a rule") { Program.fromToml(text, "demo.toml") }
        checkEq(e.line, 10u, "line")
        checkEq(e.column, 9u, "column")
        check(e.detail.isNotEmpty()) { "no detail" }
        check(e.diagnostics.isNotEmpty()) { "no diagnostics" }
        check(e.describe().startsWith("demo.toml:10:9:")) { e.describe() }
        check(e is OfframpException) { "not an OfframpException" }
        val broken = expectThrows<OfframpException.InvalidProgram>("broken TOML") {
            Program.fromToml("[program\nid = 1", "broken.toml")
        }
        check(broken.line >= 1u) { "no line for broken TOML" }
        expectThrows<OfframpException.InvalidProgram>("broken JSON") { Program.fromJson("{", "p.json") }
        expectThrows<OfframpException.Io>("missing file") { Program.fromFile("/nonexistent/p.toml") }
    }

    test("a program that loads still says what is questionable, with line and column") {
        checkEq(program("lead-king-county").warnings(), emptyList<Diagnostic>(), "no warnings")
        val text = "[program]\nid = \"demo\"\njurisdiction = \"Example County\"\ntimezone = \"America/Chicago\"\n" +
            "[[pathways]]\npathway = \"officer_intervention\"\n[[pathways.rules]]\nid = \"infractions-only\"\n" +
            "when = \"all offenses (level == infraction)\"\n"
        val warnings = Program.fromToml(text, "demo.toml").warnings()
        checkEq(warnings.map { Triple(it.file, it.line, it.column) }, listOf(Triple("demo.toml", 9u, 9u)), "where")
        check(warnings[0].message.contains("infractions-only")) { warnings[0].message }
    }

    test("malformed encounters throw InvalidEncounter, never crash") {
        val router = Router(program("lead-king-county"))
        val junk = listOf(
            "", "{", "null", "[]", "\u0000", "[".repeat(100_000), "{\"id\":1}".repeat(1000),
            """{"id":"e","at":"yesterday"}""",
            """{"id":"","at":"2026-03-02T14:05:00-08:00"}""",
            """{"id":"e","at":"2026-03-02T14:05:00-08:00","age":-1}""",
            """{"id":"e","at":"2026-03-02T14:05:00-08:00","location":{"lat":1e999,"lon":0}}""",
            """{"id":"e","at":"2026-03-02T14:05:00-08:00","offenses":[{"nibrs":"JaneDoe","level":"felony"}]}""",
        )
        for (j in junk) {
            val e = expectThrows<OfframpException.InvalidEncounter>(j.take(40)) { router.routeJson(j) }
            check(!e.describe().contains("JaneDoe")) { e.describe() }
        }
        val badRecords = mapOf(
            "at" to leadRecord.copy(at = Instant.MAX),
            "utc_offset_seconds" to leadRecord.copy(utcOffsetSeconds = 25 * 3600),
            "offenses[0].nibrs" to leadRecord.copy(offenses = listOf(Offense("Jane Doe", Level.FELONY, false))),
            "location.lat" to leadRecord.copy(location = Location(91.0, 0.0)),
            "location.lon" to leadRecord.copy(location = Location(0.0, Double.NaN)),
            "age" to leadRecord.copy(age = 200u),
            "id" to leadRecord.copy(id = ""),
            "overdose.at" to leadRecord.copy(overdose = Overdose(instant("2027-01-01T00:00:00Z"), true)),
        )
        for ((field, record) in badRecords) {
            val e = expectThrows<OfframpException.InvalidEncounter>(field) { router.route(record) }
            checkEq(e.field, field, "field")
            check(!e.describe().contains("Jane")) { e.describe() }
        }
        expectThrows<OfframpException.InvalidEncounter>("encounterFromJson") { encounterFromJson("{}") }
        // A string that is not valid UTF-16 is refused on the Kotlin side, before Rust sees it.
        expectThrows<java.nio.charset.CharacterCodingException>("lone surrogate") { router.routeJson("\uD800") }
    }

    test("malformed directories, decisions and times throw, never crash") {
        for (text in listOf("", "{", "null", "42", """{"services": 7}""")) {
            expectThrows<OfframpException.InvalidDirectory>(text) { Directory.fromHsdsJson(text, "d.json", null) }
        }
        expectThrows<OfframpException>("bad zone") { Directory.fromHsdsJson("[]", "d.json", "Mars/Base") }
        expectThrows<OfframpException.InvalidArgument>("decision") { decisionFromJson("garbage") }
        val d = Router(program("pad-acc-leon-county")).routeJson(PAD_JSON)
        val broken = d.copy(eligible = listOf(d.eligible[0].copy(chargeHold = ChargeHold("90d", ZonedTime(Instant.EPOCH, 25 * 3600)))))
        val e = expectThrows<OfframpException.InvalidArgument>("bad deadline") { broken.toJson() }
        checkEq(e.field, "eligible[0].charge_hold.deadline.utc_offset_seconds", "field")
        expectThrows<OfframpException.InvalidArgument>("bad case time") {
            Case("e", Pathway.SELF_REFERRAL, Instant.MIN, null)
        }
        // Every binding error is an OfframpException, so one catch covers them all.
        var caught = 0
        for (block in listOf({ Program.fromToml("x", "x") }, { decisionFromJson("") }, { encounterFromJson("[") })) {
            try { block() } catch (e: OfframpException) { caught++ }
        }
        checkEq(caught, 3, "caught")
    }

    // ------------------------------------------------------------------ threads
    test("eight threads route concurrently on one Router") {
        val p = program("harvey-pd")
        val dir = Directory.fromHsdsJson(
            File(root, "examples/providers/harvey-il.json").readText(), "harvey-il.json", p.timezone()
        )
        val router = Router.withDirectory(p, dir)
        val lines = encounterLines("harvey-pd")
        val expected = lines.map { router.routeJson(it) }
        val pool = Executors.newFixedThreadPool(8)
        try {
            val jobs = (0 until 8).map {
                pool.submit(Callable {
                    (0 until 100).all { lines.zip(expected).all { (l, d) -> router.routeJson(l) == d } }
                })
            }
            checkEq(jobs.map { it.get(120, TimeUnit.SECONDS) }, List(8) { true }, "threads agree")
        } finally {
            pool.shutdown()
        }
    }

    // ------------------------------------------------------------------ speed (reported, not judged)
    if (failed == 0) {
        val router = Router(program("lead-king-county"))
        fun medianMicros(calls: Int, body: () -> Unit): Double {
            // Warm up the JIT: with only `calls` calls first the figure was still falling (about
            // 12 µs after 20,000 calls against 7-9 µs after 100,000 on the same loaded host).
            repeat(calls * 5) { body() }
            val times = LongArray(calls) {
                val t0 = System.nanoTime()
                body()
                System.nanoTime() - t0
            }
            times.sort()
            return times[calls / 2] / 1000.0
        }
        val record = medianMicros(20_000) { router.route(leadRecord) }
        val json = medianMicros(20_000) { router.routeJsonToJson(LEAD_JSON) }
        val batch = List(1000) { leadRecord.copy(id = "e-$it") }
        val perEncounter = medianMicros(50) { router.routeBatch(batch) } / batch.size
        println("bench: route(lead-king-county) from Kotlin, median of 20000 calls: " +
            "record in, Decision out %.2f µs; JSON in, JSON out %.2f µs; ".format(record, json) +
            "routeBatch of 1000 records %.2f µs per encounter".format(perEncounter))
    }

    println("$passed passed, $failed failed")
    exitProcess(if (failed == 0) 0 else 1)
}
