import CatalogPostgres
import Testing

/// `--catalog postgres://…` as a careless or hostile user writes it: every mistake is named, no
/// number traps, and the password never comes back in a message.
@Suite struct PostgresLocationTests {
    @Test func aWellFormedURLGivesEveryPart() throws {
        let l = try PostgresLocation(url: "postgres://aula:pw@db.example:6543/city?sslmode=require&schema=north&pool=4", environment: [:])
        #expect(l == PostgresLocation(host: "db.example", port: 6543, user: "aula", password: "pw", database: "city", schema: "north",
                                      sslMode: .require, maximumConnections: 4))
        #expect(!l.redacted.contains("pw"))
        let defaults = try PostgresLocation(url: "postgresql://aula@127.0.0.1/aula", environment: ["AULA_CATALOG_PASSWORD": "from-env"])
        #expect(defaults.port == 5432 && defaults.sslMode == .prefer && defaults.maximumConnections == 10 && defaults.password == "from-env")
    }

    @Test(arguments: [
        ("", "expected postgres://"),
        ("/var/lib/aula/catalog.sqlite", "expected postgres://"),
        ("postgres://127.0.0.1/aula", "no user"),
        ("postgres://aula@127.0.0.1", "no database"),
        ("postgres://aula@127.0.0.1/", "no database"),
        ("postgres://aula@127.0.0.1/a/b", "no database"),
        ("postgres://aula@127.0.0.1:0/aula", "port 0 is out of range"),
        ("postgres://aula@127.0.0.1:99999/aula", "port 99999 is out of range"),
        ("postgres://aula@127.0.0.1:10000000000000000000/aula", "out of range"),
        ("postgres://aula@127.0.0.1:-1/aula", "out of range"),
        ("postgres://aula@127.0.0.1/aula?sslmode=maybe", "sslmode"),
        ("postgres://aula@127.0.0.1/aula?pool=0", "pool"),
        ("postgres://aula@127.0.0.1/aula?pool=1e19", "pool"),
        ("postgres://aula@127.0.0.1/aula?pool=99999999999999999999", "pool"),
        ("postgres://aula@127.0.0.1/aula?schema=North", "schema"),
        ("postgres://aula@127.0.0.1/aula?schema=x;drop%20table%20camera", "schema"),
        ("postgres://aula@127.0.0.1/aula?schema=" + String(repeating: "a", count: 64), "schema"),
        ("postgres://aula@127.0.0.1/aula?search_path=evil", "unknown option search_path"),
    ])
    func aWrongURLIsNamed(_ url: String, _ expected: String) {
        let error = #expect(throws: PostgresCatalogError.self) { try PostgresLocation(url: url, environment: [:]) }
        #expect(error?.message.contains(expected) == true, "\(url): \(error?.message ?? "no error")")
    }

    @Test func aPasswordInAWrongURLIsNeverEchoed() {
        let error = #expect(throws: PostgresCatalogError.self) {
            try PostgresLocation(url: "postgres://aula:s3cret-db-pass@127.0.0.1:99999/aula", environment: [:])
        }
        #expect(error?.message.contains("s3cret") == false)
    }
}
