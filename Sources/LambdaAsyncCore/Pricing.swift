/// Lambda's on-demand prices, in one place, with the date they were read. Prices are the first
/// tier of compute (the first 6 billion GB-seconds a month) and exclude the free tier.
public struct Pricing: Sendable {
    public struct Rate: Sendable, Equatable {
        /// US dollars per request.
        public let perRequest: Double
        /// US dollars per GB-second of billed duration.
        public let perGBSecond: Double
    }

    /// When these figures were taken from the AWS Lambda pricing page.
    public static let asOf = "2025-11-01"

    /// Regions with the same first-tier prices as US East (N. Virginia).
    static let standardRegions: Set<String> = [
        "us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "eu-north-1", "ap-northeast-1",
        "ap-southeast-1", "ap-southeast-2", "ap-south-1", "ca-central-1", "eu-west-2", "eu-west-3",
    ]
    static let standard: [Architecture: Rate] = [
        .x86_64: Rate(perRequest: 0.20 / 1_000_000, perGBSecond: 0.0000166667),
        .arm64: Rate(perRequest: 0.20 / 1_000_000, perGBSecond: 0.0000133334),
    ]

    public static var regions: [String] { standardRegions.sorted() }

    public static func rate(region: String, architecture: Architecture) -> Rate? {
        standardRegions.contains(region) ? standard[architecture] : nil
    }

    /// Dollars per million calls that each bill `requests` requests and `billedMs` milliseconds in all.
    public static func costPerMillionCalls(requests: Double, billedMs: Double, memoryMB: Int, rate: Rate) -> Double {
        let gbSeconds = billedMs / 1000 * Double(memoryMB) / 1024
        return (requests * rate.perRequest + gbSeconds * rate.perGBSecond) * 1_000_000
    }
}
