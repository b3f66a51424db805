/// The lifecycle of one execution environment, as Lambda runs it: the states it can be in and the
/// events that move it between them, with what each move obliges the sandbox to do. Pure: no
/// processes, no event loop, so every transition is unit-tested.
///
/// The rule the sandbox relies on: whatever the state, `reset` and `shutdown` say which callers are
/// still waiting (`answerInFlight`, `failInit`, `refuseQueued`), so that every caller gets an answer.
public struct SandboxLifecycle: Sendable, Equatable {
    public enum State: String, Sendable, CaseIterable {
        /// No process: the next invocation starts cold.
        case cold
        /// The runtime and external extensions are starting; init ends when all asked for their next event.
        case initializing
        /// Init done, no invocation yet: the runtime waits in /next.
        case ready
        /// An event was delivered and the client has no response yet.
        case invoking
        /// The client has its response; the runtime or an extension is still working (and billed).
        case postResponse
        /// Everyone asked for more: every process is stopped until the next invocation.
        case frozen
        /// SHUTDOWN sent, processes being ended; the next invocation starts cold.
        case resetting
        /// For good: nothing starts again.
        case shutDown
    }

    public enum Event: Sendable, Equatable {
        case coldStart
        case initSucceeded
        case initFailed
        /// An invocation's event goes to the runtime (thawing a frozen environment first).
        case deliver
        /// The client got its response (buffered, streamed to the end, or an error).
        case respond
        /// The runtime and every INVOKE-subscribed extension asked for more.
        case finish(freeze: Bool)
        /// A timeout, a crash, a code change or the end: the environment ends, the sandbox stays.
        case reset
        case resetDone
        case shutdown
    }

    /// What a move obliges the sandbox to do.
    public enum Effect: Sendable, Equatable {
        case startProcesses
        case thaw
        case freeze
        case endProcesses
        /// The invocation waiting for init gets the init's error.
        case failInit
        /// The invocation in flight gets an error now (the client had no response yet) or its record
        /// (it had one): either way its caller is answered.
        case answerInFlight(responded: Bool)
        /// Invocations still queued are refused: nothing starts after shutdown.
        case refuseQueued
    }

    public struct InvalidTransition: Error, CustomStringConvertible, Equatable {
        public let state: State
        public let event: Event
        public var description: String { "no transition from \(state.rawValue) on \(event)" }
    }

    public private(set) var state: State = .cold

    public init(state: State = .cold) { self.state = state }

    /// Moves on `event`; returns what the sandbox must do, or throws when the event cannot happen now.
    @discardableResult
    public mutating func handle(_ event: Event) throws -> [Effect] {
        let invalid = InvalidTransition(state: state, event: event)
        switch (state, event) {
        case (.shutDown, .shutdown), (.shutDown, .reset), (.shutDown, .resetDone):
            return []
        case (.shutDown, _):
            throw invalid
        case (_, .shutdown):
            let effects = ending() + [.refuseQueued]
            state = .shutDown
            return effects
        case (.cold, .reset), (.resetting, .reset):
            return []
        case (_, .reset):
            let effects = ending()
            state = .resetting
            return effects
        case (.resetting, .resetDone):
            state = .cold
            return []
        case (.cold, .coldStart):
            state = .initializing
            return [.startProcesses]
        case (.initializing, .initSucceeded):
            state = .ready
            return []
        case (.initializing, .initFailed):
            state = .resetting
            return [.failInit, .endProcesses]
        case (.ready, .deliver):
            state = .invoking
            return []
        case (.frozen, .deliver):
            state = .invoking
            return [.thaw]
        case (.invoking, .respond):
            state = .postResponse
            return []
        case (.invoking, .finish(let freeze)), (.postResponse, .finish(let freeze)):
            state = freeze ? .frozen : .ready
            return freeze ? [.freeze] : []
        default:
            throw invalid
        }
    }

    /// What ending the environment from the current state owes its callers.
    private func ending() -> [Effect] {
        switch state {
        case .cold, .resetting, .shutDown: return []
        case .initializing: return [.failInit, .endProcesses]
        case .ready: return [.endProcesses]
        case .invoking: return [.answerInFlight(responded: false), .endProcesses]
        case .postResponse: return [.answerInFlight(responded: true), .endProcesses]
        // A frozen environment is thawed first so that SHUTDOWN and signals reach it.
        case .frozen: return [.thaw, .endProcesses]
        }
    }

    /// Whether the environment's processes are stopped.
    public var isFrozen: Bool { state == .frozen }
}
