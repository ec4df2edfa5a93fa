import ArgumentParser
import Foundation
import PortalCore
import PortalSecurity

/// `portal generate`: loads a program with generated partners, clicks and conversions, with a progress bar, for
/// demos and for the report-time figures in BENCHMARKS.md (`portal generate --clicks 10000000 --conversions 500000`).
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate", abstract: "Fill a program with generated activity (partners, clicks, conversions) for demos and load tests.")

    @Option(help: "The program's slug; created (USD, 20%) when it does not exist.") var program = "loadtest"
    @Option(help: "Partners to create.") var partners = 1_000
    @Option(help: "Clicks to record.") var clicks = 1_000_000
    @Option(help: "Conversions to record through the conversion engine.") var conversions = 50_000
    @Option(help: "Days of history the activity spreads over.") var days = 180
    @Option(help: "Random seed: the same seed generates the same data.") var seed: UInt64 = 2026
    @Flag(help: "Print {\"program_id\", \"secret_key\", \"partner_id\", \"partner_key\"} as JSON when done.") var json = false
    @OptionGroup var options: DataOptions

    func run() throws {
        let environment = try options.open().environment
        let now = Int64(Date().timeIntervalSince1970)
        let database = environment.database
        let (programID, secretKey) = try database.write { db -> (Int64, String?) in
            if let id = try db.queryValue("SELECT id FROM programs WHERE slug = ?", [program], as: Int64.self) { return (id, nil) }
            let created = try ProgramStore().create(in: db, NewProgram(name: program.capitalized, slug: program, currency: "USD"), now: now)
            return (created.id, created.secretKey)
        }
        var plan = ActivityGenerator.Plan()
        plan.partners = partners
        plan.clicks = clicks
        plan.conversions = conversions
        plan.days = days
        plan.seed = seed
        let generator = ActivityGenerator(vault: try PayoutDetailsVault(key: environment.secretKey),
                                          addressSecret: environment.secretKey.derive("address-hash"))
        let started = Date()
        let bar = ProgressBar()
        let ids = try generator.generate(database, programID: programID, plan: plan, now: now) { phase, done, total in bar.show(phase, done, total) }
        bar.finish()
        let elapsed = Date().timeIntervalSince(started)
        FileHandle.standardError.write(Data(String(format: "generated in %.1f s\n", elapsed).utf8))
        // The busiest partner (the generator skews traffic to the first) and a key that reads its reports.
        let partnerID = ids.first ?? 0
        let partnerKey = try database.write { db in
            try ProgramStore().createKey(in: db, programID: programID, partnerID: partnerID, prefix: "pk_", scopes: ["reports:read"], now: now)
        }
        if json {
            var object: [String: Any] = ["program_id": programID, "partner_id": partnerID, "partner_key": partnerKey]
            if let secretKey { object["secret_key"] = secretKey }
            print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
        } else {
            print("Program \(program) (id \(programID)): \(ids.count) partners, \(clicks) clicks, \(conversions) conversions.")
            if let secretKey { print("Secret API key (shown once): \(secretKey)") }
            print("Partner \(partnerID) key with reports:read (shown once): \(partnerKey)")
        }
    }
}

/// `[#########           ] 45%  clicks 4,500,000 / 10,000,000` on standard error, redrawn in place.
final class ProgressBar {
    private var lastDrawn = Date.distantPast
    private var phase = ""

    func show(_ phase: String, _ done: Int, _ total: Int) {
        let now = Date()
        guard phase != self.phase || done == total || now.timeIntervalSince(lastDrawn) > 0.2 else { return }
        if phase != self.phase && !self.phase.isEmpty { FileHandle.standardError.write(Data("\n".utf8)) }
        self.phase = phase
        lastDrawn = now
        let width = 30
        let filled = total == 0 ? width : width * done / total
        let percent = total == 0 ? 100 : 100 * done / total
        let line = "\r[\(String(repeating: "#", count: filled))\(String(repeating: " ", count: width - filled))] \(percent)%  \(phase) \(done.formatted()) / \(total.formatted())"
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
