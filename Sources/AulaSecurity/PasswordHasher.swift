import HummingbirdBcrypt

/// bcrypt through hummingbird-auth: slow on purpose, salted, with the cost inside the hash so that
/// it can be raised later without invalidating stored passwords.
public struct PasswordHasher: Sendable {
    /// 12 in production (about a quarter of a second); tests use less to stay fast.
    public var cost: UInt8

    public init(cost: UInt8 = 12) {
        self.cost = cost
    }

    public func hash(_ password: String) -> String { Bcrypt.hash(password, cost: cost) }

    public func verify(_ password: String, hash: String) -> Bool { Bcrypt.verify(password, hash: hash) }
}
