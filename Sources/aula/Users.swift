import ArgumentParser
import Catalog
import Foundation
import Server

struct Users: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage the people who sign in.", subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a user, or reset their role and password. The password is read from standard input (one line).")

        @Argument(help: "User name: letters, digits, . _ - @")
        var name: String

        @Option(help: "administrator, operator, guard, analyst or auditor.")
        var role: String

        @Flag(inversion: .prefixedNo, help: "Grant (or with --no-see-behind-masks, withdraw) the right to see behind privacy masks; unchanged when not given. Administrators always hold it.")
        var seeBehindMasks: Bool?

        @OptionGroup var dataOptions: DataOptions
        var data: String { dataOptions.data }

        func run() async throws {
            guard let role = Role(rawValue: role) else {
                throw ValidationError("--role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            // From stdin rather than an option, so that it never shows in `ps` or shell history.
            guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                throw ValidationError("no password on standard input (for example: aula users add \(name) --role \(role.rawValue) < password.txt)")
            }
            let accounts = AccountSetup(catalog: try await dataOptions.openCatalog())
            try await accounts.setUser(name: name, role: role, password: line, seeBehindMasks: seeBehindMasks)
            say("user \(name) is now a\(role == .administrator || role == .operator || role == .analyst || role == .auditor ? "n" : "") \(role.rawValue)")
        }
    }
}

struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "API tokens for integrations.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an API token for a user and print it once; use it as Authorization: Bearer TOKEN.")

        @Option(help: "The user the token acts as.")
        var user: String

        @Option(help: "A label to recognise the token by.")
        var label: String = "cli"

        @OptionGroup var dataOptions: DataOptions
        var data: String { dataOptions.data }

        func run() async throws {
            let accounts = AccountSetup(catalog: try await dataOptions.openCatalog())
            do {
                say(try await accounts.createAPIToken(user: user, label: label))
            } catch let e as ServerSetupError {
                throw ValidationError(e.description)
            }
        }
    }
}
