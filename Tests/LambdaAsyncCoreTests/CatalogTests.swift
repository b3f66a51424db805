import Testing
@testable import LambdaAsyncCore

@Suite struct CatalogTests {
    @Test func everyCellHasAFact() {
        for strategy in Strategy.allCases {
            for dimension in Dimension.allCases {
                #expect(Catalog.standard.fact(strategy, dimension).count > 10, "\(strategy) × \(dimension)")
            }
        }
        #expect(Strategy.allCases.count == 5)
        #expect(Dimension.allCases.count == 8)
    }

    /// A fact without a source, or citing a page the catalog does not list, fails here.
    @Test func everyFactHasASourceAndADate() {
        let catalog = Catalog.standard
        var facts = catalog.facts.values.flatMap { Array($0.values) } + catalog.managedInstances.values.map(\.fact)
        facts.append(catalog.noStrategyOnManagedInstances)
        #expect(facts.count == 5 * 8 + 4 + 1)
        for fact in facts {
            #expect(!fact.sources.isEmpty, "\(fact.text)")
            for id in fact.sources { #expect(Reference.all[id] != nil, "\(id) in \(fact.text)") }
            #expect(fact.checked.wholeMatch(of: /\d{4}-\d{2}-\d{2}/) != nil)
        }
        for reference in Reference.all.values { #expect(reference.url.hasPrefix("https://")) }
    }

    /// Lambda as it is now: INIT billed for every function, REST APIs stream.
    @Test func factsAreThoseOfToday() {
        let catalog = Catalog.standard
        for strategy in Strategy.allCases { #expect(catalog.fact(strategy, .cost).contains("INIT"), "\(strategy)") }
        #expect(catalog.fact(.streaming, .limits).contains("responseTransferMode STREAM"))
        #expect(!catalog.fact(.streaming, .limits).contains("REST integrations buffer"))
        #expect(catalog.managedInstances[.extension]?.verdict == .notAvailable)
    }

    @Test func factsCarryTheCurrentLimits() {
        let catalog = Catalog.standard
        #expect(catalog.fact(.asyncInvoke, .limits).contains("1 MB"))
        #expect(catalog.fact(.streaming, .benefits).contains("200 MB"))
        #expect(catalog.fact(.streaming, .limits).contains("AWS_IAM"))
        #expect(!catalog.fact(.streaming, .limits).contains("20 MB"))
        #expect(catalog.fact(.asyncInvoke, .retries).contains("2 retries"))
        #expect(catalog.fact(.asyncInvoke, .cost).hasPrefix("Highest"))
    }

    @Test func quotasAreBinaryMegabytes() {
        #expect(LambdaQuotas.asyncPayloadBytes == 1_048_576)
        #expect(LambdaQuotas.bufferedPayloadBytes == 6_291_456)
        #expect(LambdaQuotas.streamedResponseBytes == 200 * 1_048_576)
    }
}

@Suite struct ByteSizeTests {
    @Test(arguments: [
        ("1048576", 1_048_576), ("512KB", 524_288), ("6 MB", 6_291_456), ("1.5MB", 1_572_864),
        ("6MiB", 6_291_456), ("200b", 200), (" 2 mb ", 2_097_152), ("1G", 1_073_741_824),
    ])
    func parses(text: String, bytes: Int) throws {
        #expect(try ByteSize.parse(text) == bytes)
    }

    @Test(arguments: ["", "MB", "-1MB", "6 TB", "six", "1.2.3MB", "0x10"])
    func rejects(text: String) {
        #expect(throws: ByteSize.ParseError.invalid(text)) { try ByteSize.parse(text) }
    }

    @Test func describes() {
        #expect(ByteSize.describe(6_291_456) == "6 MB")
        #expect(ByteSize.describe(1_572_864) == "1.5 MB")
        #expect(ByteSize.describe(300 * 1024) == "300 KB")
        #expect(ByteSize.describe(12) == "12 bytes")
    }
}

@Suite struct PricingTests {
    @Test func costPerMillionCalls() throws {
        let rate = try #require(Pricing.rate(region: "us-east-1", architecture: .x86_64))
        // 1M requests of 1 s at 1024 MB: $0.20 + 1,000,000 GB-s × $0.0000166667.
        let cost = Pricing.costPerMillionCalls(requests: 1, billedMs: 1000, memoryMB: 1024, rate: rate)
        #expect(abs(cost - 16.8667) < 0.001)
        let arm = try #require(Pricing.rate(region: "us-east-1", architecture: .arm64))
        #expect(arm.perGBSecond < rate.perGBSecond)
        #expect(Pricing.rate(region: "mars-north-1", architecture: .arm64) == nil)
    }
}

@Suite struct RuntimeLifecycleTests {
    @Test func refusalAndWarningFollowTheSchedule() {
        let node20 = LambdaRuntime("nodejs20.x")!
        #expect(node20.deprecationWarning(on: "2026-05-01") == "nodejs20.x is deprecated since 2026-04-30; Lambda stops creating functions on it on 2026-06-01 (use nodejs24.x)")
        #expect(node20.creationRefusal(on: "2026-05-01") == nil)
        #expect(node20.creationRefusal(on: "2026-06-01")?.hasSuffix("since 2026-06-01: use --runtime nodejs24.x") == true)
        #expect(node20.deprecationWarning(on: "2026-06-01") == nil)
        #expect(LambdaRuntime("python3.14")!.creationRefusal(on: "2026-11-30") == nil)
        // Every runtime Lambda knows has a schedule but the newest .NET, which has none yet.
        #expect(LambdaRuntime.supported.filter { LambdaRuntime($0)!.lifecycle == nil } == ["dotnet10"])
    }
}
