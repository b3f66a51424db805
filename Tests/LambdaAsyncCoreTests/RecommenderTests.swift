import Testing
@testable import LambdaAsyncCore

@Suite struct RecommenderTests {
    let recommender = Recommender()

    func recommend(_ language: String? = nil, _ frontDoor: FrontDoor? = nil, mustComplete: Bool = false,
                   response: Int? = nil, payload: Int? = nil) throws -> Recommendation {
        try recommender.recommend(Situation(
            language: try language.map(Language.init), frontDoor: frontDoor, mustComplete: mustComplete,
            responseSizeBytes: response, taskPayloadBytes: payload))
    }

    @Test func nodeBehindAFunctionURLStreams() throws {
        let r = try recommend("node", .functionURL)
        #expect(r.recommended == .streaming)
        #expect(r.reasons.contains { $0.strategy == .streaming && $0.effect == .favours && $0.dimension == .complexity })
    }

    @Test(arguments: ["nodejs", "typescript", "javascript"])
    func nodeAliasesStreamToo(name: String) throws {
        #expect(try recommend(name, .functionURL).recommended == .streaming)
    }

    @Test func aTaskThatMustCompleteIsInvokedAsynchronously() throws {
        for language in ["python", "node", "rust"] {
            for door in [FrontDoor.functionURL, .apiGatewayREST, .sdk, .eventSource] {
                let r = try recommend(language, door, mustComplete: true)
                #expect(r.recommended == .asyncInvoke, "\(language) behind \(door)")
                #expect(r.reasons.contains { $0.strategy == .asyncInvoke && $0.dimension == .retries })
            }
        }
    }

    @Test(arguments: ["rust", "go", "swift", "cobol"])
    func aLanguageWithoutAManagedRuntimeGetsACustomRuntime(name: String) throws {
        let r = try recommend(name, .apiGatewayHTTP)
        #expect(r.recommended == .customRuntime)
        #expect(r.reasons.contains { $0.strategy == .customRuntime && $0.text.contains(name) })
    }

    @Test(arguments: ["python", "java", "dotnet", "ruby"])
    func otherwiseAnExtension(name: String) throws {
        #expect(try recommend(name, .apiGatewayREST).recommended == .extension)
        #expect(try recommend(name, .functionURL).recommended == .extension)
    }

    @Test func nothingGivenMeansAnExtension() throws {
        let r = try recommend()
        #expect(r.recommended == .extension)
        #expect(r.runnerUp == .asyncInvoke)
    }

    @Test func neverAsyncInvokeAboveOneMegabyteOfPayload() throws {
        for mustComplete in [false, true] {
            for language in ["python", "node", "rust"] {
                let r = try recommend(language, .apiGatewayREST, mustComplete: mustComplete, payload: 1_048_577)
                #expect(r.recommended != .asyncInvoke)
                #expect(r.runnerUp != .asyncInvoke)
                #expect(r.ruledOut.contains(.asyncInvoke))
            }
        }
        // Exactly 1 MB still fits.
        #expect(try recommend("python", mustComplete: true, payload: 1_048_576).recommended == .asyncInvoke)
    }

    @Test func aMustCompleteTaskWithoutAsyncInvokeSaysRetriesAreYours() throws {
        let r = try recommend("python", mustComplete: true, payload: 2 * 1_048_576)
        #expect(r.reasons.contains { $0.strategy == r.recommended && $0.effect == .disfavours && $0.dimension == .retries })
    }

    @Test func largeResponsesNeedStreaming() throws {
        let node = try recommend("node", .functionURL, mustComplete: true, response: 7 * 1_048_576)
        #expect(node.recommended == .streaming)
        #expect(node.runnerUp == nil)
        let python = try recommend("python", .sdk, response: 7 * 1_048_576)
        #expect(python.recommended == .streaming)
        #expect(python.reasons.contains { $0.strategy == .streaming && $0.text.contains("custom runtime") })
    }

    @Test func anHTTPAPIOrAnEventSourceRulesOutStreaming() throws {
        for door in [FrontDoor.apiGatewayHTTP, .eventSource] {
            let r = try recommend("node", door)
            #expect(r.ruledOut.contains(.streaming))
            #expect(r.recommended == .extension)
        }
    }

    /// REST APIs stream since November 2025 (responseTransferMode STREAM): streaming is not ruled out
    /// there any more, only said to need a streaming integration; a 7 MB response streams.
    @Test func aRESTAPIStreamsWithAStreamingIntegration() throws {
        let r = try recommend("node", .apiGatewayREST)
        #expect(!r.ruledOut.contains(.streaming))
        #expect(r.reasons.contains { $0.strategy == .streaming && $0.text.contains("responseTransferMode STREAM") })
        #expect(try recommend("node", .apiGatewayREST, response: 7 * 1_048_576).recommended == .streaming)
    }

    /// Managed Instances: the extension is impossible, streaming and a custom runtime needless, and the
    /// answer says no strategy is needed unless the work must outlive its environment.
    @Test func onManagedInstancesNoStrategyIsNeeded() throws {
        let situation = Situation(language: try Language("python"), platform: .managedInstances)
        let r = try recommender.recommend(situation)
        #expect(r.ruledOut == [.extension])
        #expect(r.recommended == .asyncInvoke)
        #expect(r.platformNote?.contains("No strategy is needed") == true)
        var mustComplete = situation
        mustComplete.mustComplete = true
        let must = try recommender.recommend(mustComplete)
        #expect(must.recommended == .asyncInvoke && must.platformNote == nil)
    }

    @Test func noStrategyFitsALargeResponseBehindAPIGateway() {
        #expect(throws: RecommendationError.self) {
            try recommend("node", .apiGatewayHTTP, response: 7 * 1_048_576)
        }
        #expect(throws: RecommendationError.self) {
            try recommend("node", .functionURL, response: 201 * 1_048_576)
        }
    }

    @Test func anEventSourceHasNoResponseSize() {
        #expect(throws: RecommendationError.self) {
            try recommend("python", .eventSource, response: 1000)
        }
    }

    @Test func languagesAreNormalisedAndChecked() throws {
        #expect(try Language("NodeJS").name == "node")
        #expect(try Language("C#").name == "dotnet")
        #expect(try Language("rust").hasManagedRuntime == false)
        #expect(throws: Language.ParseError.self) { try Language("") }
        #expect(throws: Language.ParseError.self) { try Language("py thon") }
    }

    /// Durable functions: the only strategy for a task longer than an invocation, the favourite when
    /// the task waits for a person or another system, a runner-up when it must complete.
    @Test func durableFitsLongWaitingAndMustCompleteWork() throws {
        let long = try recommender.recommend(Situation(language: try Language("python"), taskDurationSeconds: 2 * 3600))
        #expect(long.recommended == .durable && long.ruledOut.count == 4)
        let waiting = try recommender.recommend(Situation(language: try Language("node"), frontDoor: .functionURL, waitsForCallback: true))
        #expect(waiting.recommended == .durable)
        #expect(waiting.reasons.contains { $0.strategy == .durable && $0.text.contains("without paying for compute") })
        let must = try recommend("python", mustComplete: true)
        #expect(must.recommended == .asyncInvoke && must.runnerUp == .durable)
        // No SDK for the language: a long task then fits nothing.
        #expect(throws: RecommendationError.self) {
            try recommender.recommend(Situation(language: try Language("rust"), taskDurationSeconds: 3600))
        }
        #expect(try recommend("python").recommended != .durable)
    }
}
