/// Where an execution environment is in its lifecycle, by name.
public enum SandboxState: String, Sendable, CaseIterable {
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

/// The lifecycle of one execution environment, as Lambda runs it: the states it can be in, what each
/// state holds (the init someone waits for while initializing, the invocation in flight while invoking
/// and after its response), and the events that move it, with what each move obliges the sandbox to
/// do. Pure: no processes, no event loop, so every transition is unit-tested (with any payloads).
///
/// The rule the sandbox relies on: whatever the state, `reset` and `shutdown` hand back the callers
/// still waiting (`answerInFlight`, `failInit`, `refuseQueued`), so that every caller gets an answer;
/// what a state held leaves with it, so a finished invocation or an ended init cannot linger.
public struct SandboxLifecycle<Init, Invocation> {
    public typealias State = SandboxState

    public enum Event {
        /// Init starts; the environment holds `Init` (its caller, its timer) until init ends.
        case coldStart(Init)
        case initSucceeded
        case initFailed
        /// An invocation's event goes to the runtime (thawing a frozen environment first); the
        /// environment holds the invocation until it finishes or the environment ends.
        case deliver(Invocation)
        /// The client got its response (buffered, streamed to the end, or an error).
        case respond
        /// The runtime and every INVOKE-subscribed extension asked for more.
        case finish(freeze: Bool)
        /// A timeout, a crash, a code change or the end: the environment ends, the sandbox stays.
        case reset
        case resetDone
        case shutdown

        var name: String {
            switch self {
            case .coldStart: "coldStart"
            case .initSucceeded: "initSucceeded"
            case .initFailed: "initFailed"
            case .deliver: "deliver"
            case .respond: "respond"
            case .finish(let freeze): "finish(freeze: \(freeze))"
            case .reset: "reset"
            case .resetDone: "resetDone"
            case .shutdown: "shutdown"
            }
        }
    }

    /// What a move obliges the sandbox to do.
    public enum Effect {
        case startProcesses
        case thaw
        case freeze
        case endProcesses
        /// The init that was waited for ends as failed: its caller gets the init's error.
        case failInit(Init)
        /// The invocation in flight gets an error now (the client had no response yet) or its record
        /// (it had one): either way its caller is answered.
        case answerInFlight(Invocation, responded: Bool)
        /// Invocations still queued are refused: nothing starts after shutdown.
        case refuseQueued
    }

    public struct InvalidTransition: Error, CustomStringConvertible, Equatable {
        public let state: State
        public let event: String
        public var description: String { "no transition from \(state.rawValue) on \(event)" }
    }

    private enum Phase {
        case cold
        case initializing(Init)
        case ready
        case invoking(Invocation)
        case postResponse(Invocation)
        case frozen
        case resetting
        case shutDown
    }

    private var phase = Phase.cold

    public init() {}

    public var state: State {
        switch phase {
        case .cold: .cold
        case .initializing: .initializing
        case .ready: .ready
        case .invoking: .invoking
        case .postResponse: .postResponse
        case .frozen: .frozen
        case .resetting: .resetting
        case .shutDown: .shutDown
        }
    }

    /// The init someone waits for: only while initializing.
    public var pendingInit: Init? {
        if case .initializing(let pending) = phase { return pending }
        return nil
    }

    /// Changes what the pending init holds (its timer, whether the runtime asked); nothing otherwise.
    public mutating func updatePendingInit(_ change: (inout Init) -> Void) {
        guard case .initializing(var pending) = phase else { return }
        change(&pending)
        phase = .initializing(pending)
    }

    /// The invocation delivered and not finished: only while invoking and after its response.
    public var invocation: Invocation? {
        switch phase {
        case .invoking(let invocation), .postResponse(let invocation): invocation
        default: nil
        }
    }

    /// Whether the environment's processes are stopped.
    public var isFrozen: Bool { state == .frozen }

    /// Moves on `event`; returns what the sandbox must do, or throws when the event cannot happen now.
    @discardableResult
    public mutating func handle(_ event: Event) throws -> [Effect] {
        let invalid = InvalidTransition(state: state, event: event.name)
        switch (phase, event) {
        case (.shutDown, .shutdown), (.shutDown, .reset), (.shutDown, .resetDone):
            return []
        case (.shutDown, _):
            throw invalid
        case (_, .shutdown):
            let effects = ending() + [.refuseQueued]
            phase = .shutDown
            return effects
        case (.cold, .reset), (.resetting, .reset):
            return []
        case (_, .reset):
            let effects = ending()
            phase = .resetting
            return effects
        case (.resetting, .resetDone):
            phase = .cold
            return []
        case (.cold, .coldStart(let pending)):
            phase = .initializing(pending)
            return [.startProcesses]
        case (.initializing, .initSucceeded):
            phase = .ready
            return []
        case (.initializing(let pending), .initFailed):
            phase = .resetting
            return [.failInit(pending), .endProcesses]
        case (.ready, .deliver(let invocation)):
            phase = .invoking(invocation)
            return []
        case (.frozen, .deliver(let invocation)):
            phase = .invoking(invocation)
            return [.thaw]
        case (.invoking(let invocation), .respond):
            phase = .postResponse(invocation)
            return []
        case (.invoking, .finish(let freeze)), (.postResponse, .finish(let freeze)):
            phase = freeze ? .frozen : .ready
            return freeze ? [.freeze] : []
        default:
            throw invalid
        }
    }

    /// What ending the environment from the current state owes its callers.
    private func ending() -> [Effect] {
        switch phase {
        case .cold, .resetting, .shutDown: []
        case .initializing(let pending): [.failInit(pending), .endProcesses]
        case .ready: [.endProcesses]
        case .invoking(let invocation): [.answerInFlight(invocation, responded: false), .endProcesses]
        case .postResponse(let invocation): [.answerInFlight(invocation, responded: true), .endProcesses]
        // A frozen environment is thawed first so that SHUTDOWN and signals reach it.
        case .frozen: [.thaw, .endProcesses]
        }
    }
}

extension SandboxLifecycle.Effect: Equatable where Init: Equatable, Invocation: Equatable {}
