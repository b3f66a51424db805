import Foundation

/// When Lambda deprecates a runtime, then stops creating and updating functions on it: the schedule
/// AWS publishes, as cfn-lint carries it (its LmbdRuntimeLifecycle.json, E2531/E2533), as of 2026-11.
/// `new` refuses a runtime functions can no longer be created on, and warns about a deprecated one.
public struct RuntimeLifecycle: Sendable, Equatable {
    /// ISO dates (yyyy-MM-dd), compared as text.
    public let deprecated: String
    public let createBlocked: String
    public let updateBlocked: String
    public let successor: String?

    static let schedule: [String: RuntimeLifecycle] = [
        "python3.14": .init(deprecated: "2029-06-30", createBlocked: "2029-07-31", updateBlocked: "2029-08-31", successor: nil),
        "python3.13": .init(deprecated: "2029-06-30", createBlocked: "2029-07-31", updateBlocked: "2029-08-31", successor: "python3.14"),
        "python3.12": .init(deprecated: "2028-10-31", createBlocked: "2028-11-30", updateBlocked: "2029-01-10", successor: "python3.14"),
        "python3.11": .init(deprecated: "2026-06-30", createBlocked: "2026-07-31", updateBlocked: "2026-08-31", successor: "python3.14"),
        "python3.10": .init(deprecated: "2026-06-30", createBlocked: "2026-07-31", updateBlocked: "2026-08-31", successor: "python3.14"),
        "python3.9": .init(deprecated: "2025-12-15", createBlocked: "2026-06-01", updateBlocked: "2026-07-01", successor: "python3.14"),
        "nodejs24.x": .init(deprecated: "2028-04-30", createBlocked: "2028-06-01", updateBlocked: "2028-07-01", successor: nil),
        "nodejs22.x": .init(deprecated: "2027-04-30", createBlocked: "2027-06-01", updateBlocked: "2027-07-01", successor: "nodejs24.x"),
        "nodejs20.x": .init(deprecated: "2026-04-30", createBlocked: "2026-06-01", updateBlocked: "2026-07-01", successor: "nodejs24.x"),
        "nodejs18.x": .init(deprecated: "2025-09-01", createBlocked: "2026-06-01", updateBlocked: "2026-07-01", successor: "nodejs24.x"),
        "provided.al2023": .init(deprecated: "2029-06-30", createBlocked: "2029-07-31", updateBlocked: "2029-08-31", successor: nil),
        "provided.al2": .init(deprecated: "2026-06-30", createBlocked: "2026-07-31", updateBlocked: "2026-08-31", successor: "provided.al2023"),
        "java25": .init(deprecated: "2029-06-30", createBlocked: "2029-07-31", updateBlocked: "2029-08-31", successor: nil),
        "java21": .init(deprecated: "2029-06-30", createBlocked: "2029-07-31", updateBlocked: "2029-08-31", successor: "java25"),
        "java17": .init(deprecated: "2026-06-30", createBlocked: "2026-07-31", updateBlocked: "2026-08-31", successor: "java25"),
        "java11": .init(deprecated: "2026-06-30", createBlocked: "2026-07-31", updateBlocked: "2026-08-31", successor: "java25"),
        "java8.al2": .init(deprecated: "2026-06-30", createBlocked: "2026-07-31", updateBlocked: "2026-08-31", successor: "java25"),
        "dotnet8": .init(deprecated: "2026-11-10", createBlocked: "2026-12-10", updateBlocked: "2027-01-11", successor: "dotnet10"),
        "ruby3.4": .init(deprecated: "2028-03-31", createBlocked: "2028-04-30", updateBlocked: "2028-05-31", successor: nil),
        "ruby3.3": .init(deprecated: "2027-03-31", createBlocked: "2027-04-30", updateBlocked: "2027-05-31", successor: "ruby3.4"),
        "ruby3.2": .init(deprecated: "2026-03-31", createBlocked: "2026-06-01", updateBlocked: "2026-07-01", successor: "ruby3.4"),
    ]

    /// Today as the schedule writes dates, in UTC.
    public static func today(_ date: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date)
    }
}

extension LambdaRuntime {
    public var lifecycle: RuntimeLifecycle? { RuntimeLifecycle.schedule[identifier] }

    /// Why no function can be created on this runtime any more, with the runtime to use; nil while it can.
    public func creationRefusal(on day: String = RuntimeLifecycle.today()) -> String? {
        guard let lifecycle, day >= lifecycle.createBlocked else { return nil }
        return "\(identifier) was deprecated on \(lifecycle.deprecated) and Lambda creates no function on it since \(lifecycle.createBlocked)"
            + (lifecycle.successor.map { ": use --runtime \($0)" } ?? "")
    }

    /// A deprecated runtime that still takes new functions: when that ends.
    public func deprecationWarning(on day: String = RuntimeLifecycle.today()) -> String? {
        guard let lifecycle, day >= lifecycle.deprecated, day < lifecycle.createBlocked else { return nil }
        return "\(identifier) is deprecated since \(lifecycle.deprecated); Lambda stops creating functions on it on \(lifecycle.createBlocked)"
            + (lifecycle.successor.map { " (use \($0))" } ?? "")
    }
}
