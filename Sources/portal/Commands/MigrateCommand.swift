import ArgumentParser
import Store

/// `portal migrate`: applies pending migrations and prints what it applied.
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply pending database migrations.")

    @OptionGroup var options: DataOptions

    func run() throws {
        let opened = try options.open()
        if opened.applied.isEmpty {
            print("Database is up to date.")
        } else {
            for name in opened.applied { print("applied \(name)") }
        }
    }
}
