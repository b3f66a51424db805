/// One reason behind a recommendation, tied to the cell of the comparison it rests on.
public struct Reason: Sendable, Equatable, Codable {
    public enum Effect: String, Sendable, Codable {
        case favours
        case disfavours
        case rulesOut = "rules-out"
    }

    public let strategy: Strategy
    public let effect: Effect
    public let dimension: Dimension
    public let text: String
}

public struct Recommendation: Sendable, Equatable {
    public let situation: Situation
    public let recommended: Strategy
    public let runnerUp: Strategy?
    /// Every rule that fired, in the order it was applied.
    public let reasons: [Reason]
    public let ruledOut: [Strategy]
    /// Said before the answer when the platform needs no strategy at all (Managed Instances).
    public var platformNote: String? = nil
}

public enum RecommendationError: Error, CustomStringConvertible, Equatable {
    /// Every strategy is ruled out; the reasons say why.
    case noStrategyFits([Reason])
    /// Two parts of the situation contradict each other.
    case conflicting(String)

    public var description: String {
        switch self {
        case .noStrategyFits(let reasons):
            let lines = reasons.map { "  - \($0.strategy.rawValue): \($0.text)" }.joined(separator: "\n")
            return "no strategy fits this situation:\n\(lines)\nChange the front door to function-url, sdk or api-gateway-rest (streaming), or keep the response under 6 MB by returning a presigned S3 URL."
        case .conflicting(let message):
            return message
        }
    }
}

/// Encodes the advice of `strategies.md`: node behind a function URL streams; a task that must
/// complete goes through async invocation; a language without a managed runtime uses a custom
/// runtime; otherwise an extension. Hard limits (payload and response sizes, the front door) rule
/// strategies out before the advice ranks the rest.
public struct Recommender: Sendable {
    public init() {}

    // Weights rank the advice: a task that must complete outweighs the convenience of streaming,
    // which outweighs the extension's default preference.
    private enum Weight {
        static let mustComplete = 20
        static let noManagedRuntime = 15
        static let nativeStreamingURL = 10
        static let nativeStreamingSDK = 5
        static let defaultChoice = 3
        static let easiest = 2
        static let notNative = -2
        static let unnecessary = -4
        static let survivesScaleIn = 1
        static let waitsForCallback = 25
        static let checkpointed = 18
    }

    public func recommend(_ situation: Situation) throws -> Recommendation {
        var reasons: [Reason] = []
        var score: [Strategy: Int] = [:]
        var ruledOut: [Strategy] = []

        func add(_ strategy: Strategy, _ effect: Reason.Effect, _ dimension: Dimension, _ weight: Int, _ text: String) {
            // A strategy already ruled out collects no further reasons: they would only be noise.
            guard !ruledOut.contains(strategy) else { return }
            if effect == .rulesOut { ruledOut.append(strategy) }
            score[strategy, default: 0] += weight
            reasons.append(Reason(strategy: strategy, effect: effect, dimension: dimension, text: text))
        }

        if situation.frontDoor == .eventSource, situation.responseSizeBytes != nil {
            throw RecommendationError.conflicting(
                "--response-size does not apply to --front-door event-source: an event source receives no response; drop one of the two")
        }

        // Hard limits first.
        if let payload = situation.taskPayloadBytes, payload > LambdaQuotas.asyncPayloadBytes {
            for strategy in [Strategy.asyncInvoke, .durable] {
                add(strategy, .rulesOut, .limits, 0,
                    "the task's payload (\(ByteSize.describe(payload))) exceeds the 1 MB an asynchronous event may carry\(strategy == .durable ? " (a durable execution starts with one)" : ""); pass a pointer (an S3 key) instead, or keep the task in the function")
            }
        }
        if let response = situation.responseSizeBytes, response > LambdaQuotas.bufferedPayloadBytes {
            if response > LambdaQuotas.streamedResponseBytes {
                for strategy in Strategy.allCases {
                    add(strategy, .rulesOut, .limits, 0,
                        "a response of \(ByteSize.describe(response)) exceeds even the 200 MB a stream may carry")
                }
            }
            for strategy in Strategy.allCases where strategy != .streaming {
                add(strategy, .rulesOut, .benefits, 0,
                    "a response of \(ByteSize.describe(response)) exceeds the 6 MB of a buffered response; only streaming carries more")
            }
        }
        switch situation.frontDoor {
        case .apiGatewayHTTP:
            add(.streaming, .rulesOut, .limits, 0,
                "an API Gateway HTTP API buffers the function's response, so the client gets nothing until the function returns (REST APIs stream since November 2025)")
        case .apiGatewayREST:
            add(.streaming, .disfavours, .limits, 0,
                "behind a REST API the integration must stream (responseTransferMode STREAM, since November 2025); a buffered one delivers nothing until the function returns")
        case .eventSource:
            add(.streaming, .rulesOut, .howItWorks, 0,
                "no client waits on an event source, so there is no response to stream")
        case .functionURL, .sdk, nil:
            break
        }

        // One invocation runs 15 minutes at most: a longer task spans invocations, as only a durable execution does.
        if let seconds = situation.taskDurationSeconds, seconds > LambdaQuotas.timeoutSeconds.upperBound {
            for strategy in Strategy.allCases where strategy != .durable {
                add(strategy, .rulesOut, .limits, 0,
                    "a task of \(Self.describe(seconds: seconds)) outlasts the 15 minutes an invocation may run; only a durable execution spans invocations (up to a year)")
            }
        }
        if let language = situation.language, !language.hasDurableSDK {
            add(.durable, .rulesOut, .complexity, 0, "AWS publishes no Durable Execution SDK for \(language) (Node.js, Python, Java, Go and .NET have one)")
        }
        if situation.waitsForCallback {
            add(.durable, .favours, .benefits, Weight.waitsForCallback,
                "the task waits for a person or another system: a durable callback waits, up to a year, without paying for compute")
        }

        // Lambda Managed Instances: nothing is frozen, extensions cannot hold an invocation.
        if situation.platform == .managedInstances {
            add(.extension, .rulesOut, .howItWorks, 0,
                "on Managed Instances an external extension may register for SHUTDOWN only, so none can hold an invocation open")
            add(.streaming, .disfavours, .howItWorks, Weight.unnecessary,
                "unnecessary on Managed Instances: the environment is never frozen after the response")
            add(.customRuntime, .disfavours, .howItWorks, Weight.unnecessary,
                "needless on Managed Instances, where nothing is frozen after /response, and the loop must serve concurrent /next calls")
            if !situation.mustComplete {
                add(.asyncInvoke, .favours, .benefits, Weight.survivesScaleIn,
                    "if the work must outlive the environment (an instance scaling in takes it): Lambda queues and retries the event")
            }
        }

        // The advice.
        if situation.mustComplete {
            add(.asyncInvoke, .favours, .retries, Weight.mustComplete,
                "the task must complete: Lambda retries a failed asynchronous event twice, then sends it to an on-failure destination")
            add(.durable, .favours, .benefits, Weight.checkpointed,
                "the task must complete: each step is checkpointed and retried on its own, and nothing is lost when an environment dies, at the cost of the SDK and a request per replay")
        }
        if let language = situation.language {
            if !language.hasManagedRuntime {
                add(.customRuntime, .favours, .benefits, Weight.noManagedRuntime,
                    "\(language) has no managed Lambda runtime, so it runs on provided.al2023 behind a bootstrap; owning that loop costs little more")
            }
            if language.streamsNatively {
                switch situation.frontDoor {
                case .functionURL:
                    add(.streaming, .favours, .complexity, Weight.nativeStreamingURL,
                        "Node.js behind a function URL streams natively: the easiest and cheapest way to work after the response")
                case .sdk:
                    add(.streaming, .favours, .complexity, Weight.nativeStreamingSDK,
                        "Node.js streams natively and SDK callers can use InvokeWithResponseStream")
                default:
                    break
                }
            } else {
                add(.streaming, .disfavours, .limits, Weight.notNative,
                    "\(language) does not stream natively: streaming needs a custom runtime that posts the response in streaming mode")
            }
        }
        add(.extension, .favours, .cost, Weight.defaultChoice,
            "one request per call and one artifact, and the task may start before the response is sent")
        add(.asyncInvoke, .favours, .complexity, Weight.easiest,
            "the easiest to build, but a second request is billed")

        let ranked = Strategy.allCases
            .filter { !ruledOut.contains($0) }
            .sorted { (score[$0] ?? 0, $1) > (score[$1] ?? 0, $0) }
        guard let best = ranked.first else {
            throw RecommendationError.noStrategyFits(reasons.filter { $0.effect == .rulesOut })
        }
        if situation.mustComplete, best != .asyncInvoke, best != .durable {
            add(best, .disfavours, .retries, 0,
                "the task must complete, but Lambda retries nothing here: the task retries within the invocation's time left and sends what still fails to a queue (as `new` generates it)")
        }
        var recommendation = Recommendation(situation: situation, recommended: best, runnerUp: ranked.dropFirst().first,
                                            reasons: reasons, ruledOut: ruledOut)
        if situation.platform == .managedInstances, !situation.mustComplete {
            recommendation.platformNote = "On Lambda Managed Instances: " + Catalog.standard.noStrategyOnManagedInstances.text
                + " The strategy below is for work that must outlive its environment."
        }
        return recommendation
    }
}

extension Recommender {
    /// "20 minutes", "2 hours", "90 seconds".
    static func describe(seconds: Int) -> String {
        if seconds % 3600 == 0 { return "\(seconds / 3600) hour\(seconds == 3600 ? "" : "s")" }
        if seconds % 60 == 0 { return "\(seconds / 60) minutes" }
        return "\(seconds) seconds"
    }
}

extension RecommendationError: UserFacingError {
    /// Nothing fits: the command did its job and the answer is no (1). A contradiction is bad input.
    public var kind: FailureKind {
        if case .conflicting = self { return .badInput }
        return .failed
    }
}
