extension SAMTemplate {
    /// `LoggingConfig`. With `LogFormat: JSON` the runtime writes each log call as a JSON object and
    /// drops the ones under `ApplicationLogLevel`; with `Text` (the default) the levels do not apply.
    public struct LoggingConfig: Sendable, Equatable {
        public var logFormat = "Text"
        public var applicationLogLevel: String?
        public var systemLogLevel: String?
        public var logGroup: String?
        public init() {}
        public var isJSON: Bool { logFormat.uppercased() == "JSON" }
    }
}
