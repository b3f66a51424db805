import Testing
@testable import LambdaAsyncEnvironment

@Suite struct SandboxLifecycleTests {
    typealias State = SandboxLifecycle.State

    /// A lifecycle brought to `state` through the events that lead there.
    static func at(_ state: State) throws -> SandboxLifecycle {
        var lifecycle = SandboxLifecycle()
        let path: [SandboxLifecycle.Event]
        switch state {
        case .cold: path = []
        case .initializing: path = [.coldStart]
        case .ready: path = [.coldStart, .initSucceeded]
        case .invoking: path = [.coldStart, .initSucceeded, .deliver]
        case .postResponse: path = [.coldStart, .initSucceeded, .deliver, .respond]
        case .frozen: path = [.coldStart, .initSucceeded, .deliver, .respond, .finish(freeze: true)]
        case .resetting: path = [.coldStart, .initSucceeded, .reset]
        case .shutDown: path = [.shutdown]
        }
        for event in path { try lifecycle.handle(event) }
        #expect(lifecycle.state == state)
        return lifecycle
    }

    @Test func aWarmInvocationFreezesAndTheNextThaws() throws {
        var lifecycle = SandboxLifecycle()
        #expect(try lifecycle.handle(.coldStart) == [.startProcesses])
        #expect(try lifecycle.handle(.initSucceeded) == [])
        #expect(try lifecycle.handle(.deliver) == [])
        #expect(try lifecycle.handle(.respond) == [])
        #expect(lifecycle.state == .postResponse)
        #expect(try lifecycle.handle(.finish(freeze: true)) == [.freeze])
        #expect(lifecycle.isFrozen)
        #expect(try lifecycle.handle(.deliver) == [.thaw])
        #expect(lifecycle.state == .invoking)
        // Ended without a response (the runtime asked for more): frozen all the same.
        #expect(try lifecycle.handle(.finish(freeze: true)) == [.freeze])
        #expect(try lifecycle.handle(.deliver) == [.thaw])
        #expect(try lifecycle.handle(.respond) == [])
        #expect(try lifecycle.handle(.finish(freeze: false)) == [])
        #expect(lifecycle.state == .ready)
    }

    @Test func aFailedInitEndsTheEnvironmentAndAnswersTheWaitingInvocation() throws {
        var lifecycle = try Self.at(.initializing)
        #expect(try lifecycle.handle(.initFailed) == [.failInit, .endProcesses])
        #expect(lifecycle.state == .resetting)
        #expect(try lifecycle.handle(.resetDone) == [])
        #expect(lifecycle.state == .cold)
        #expect(try lifecycle.handle(.coldStart) == [.startProcesses])
    }

    /// Reset from every state: the caller in flight is always answered, and the next start is cold.
    @Test(arguments: State.allCases)
    func resetAnswersEveryCaller(_ state: State) throws {
        var lifecycle = try Self.at(state)
        let effects = try lifecycle.handle(.reset)
        switch state {
        case .cold, .resetting, .shutDown: #expect(effects == [])
        case .initializing: #expect(effects == [.failInit, .endProcesses])
        case .ready: #expect(effects == [.endProcesses])
        case .invoking: #expect(effects == [.answerInFlight(responded: false), .endProcesses])
        case .postResponse: #expect(effects == [.answerInFlight(responded: true), .endProcesses])
        case .frozen: #expect(effects == [.thaw, .endProcesses])
        }
        if state == .shutDown {
            #expect(lifecycle.state == .shutDown)
        } else if state != .cold {
            #expect(lifecycle.state == .resetting)
            try lifecycle.handle(.resetDone)
        }
        if state != .shutDown {
            #expect(lifecycle.state == .cold)
            #expect(try lifecycle.handle(.coldStart) == [.startProcesses])
        }
    }

    /// Shutdown from every state: callers answered, queued invocations refused, nothing starts again.
    @Test(arguments: State.allCases)
    func shutdownAnswersEveryCallerAndStartsNothing(_ state: State) throws {
        var lifecycle = try Self.at(state)
        let effects = try lifecycle.handle(.shutdown)
        if state == .shutDown {
            #expect(effects == [])
        } else {
            #expect(effects.last == .refuseQueued)
        }
        if state == .invoking { #expect(effects.contains(.answerInFlight(responded: false))) }
        if state == .postResponse { #expect(effects.contains(.answerInFlight(responded: true))) }
        if state == .initializing { #expect(effects.contains(.failInit)) }
        #expect(lifecycle.state == .shutDown)
        #expect(throws: SandboxLifecycle.InvalidTransition.self) { try lifecycle.handle(.coldStart) }
        #expect(throws: SandboxLifecycle.InvalidTransition.self) { try lifecycle.handle(.deliver) }
        // A reset finishing after the shutdown changes nothing.
        #expect(try lifecycle.handle(.resetDone) == [])
        #expect(lifecycle.state == .shutDown)
    }

    @Test func eventsOutOfOrderAreRefused() throws {
        #expect(throws: SandboxLifecycle.InvalidTransition.self) { var l = SandboxLifecycle(); try l.handle(.deliver) }
        #expect(throws: SandboxLifecycle.InvalidTransition.self) { var l = try Self.at(.ready); try l.handle(.respond) }
        #expect(throws: SandboxLifecycle.InvalidTransition.self) { var l = try Self.at(.postResponse); try l.handle(.respond) }
        #expect(throws: SandboxLifecycle.InvalidTransition.self) { var l = try Self.at(.resetting); try l.handle(.coldStart) }
        #expect(throws: SandboxLifecycle.InvalidTransition.self) { var l = try Self.at(.invoking); try l.handle(.coldStart) }
        #expect(throws: SandboxLifecycle.InvalidTransition.self) { var l = try Self.at(.frozen); try l.handle(.initSucceeded) }
    }

    /// Every event in every state: where it leads and what it obliges, or refused. The table is the
    /// specification, written out rather than derived.
    @Test(arguments: State.allCases)
    func everyTransitionIsSpecified(_ state: State) throws {
        typealias Event = SandboxLifecycle.Event
        typealias Effect = SandboxLifecycle.Effect
        let events: [Event] = [.coldStart, .initSucceeded, .initFailed, .deliver, .respond, .finish(freeze: true),
                               .finish(freeze: false), .reset, .resetDone, .shutdown]
        /// What ending the environment from `state` owes (reset and shutdown share it).
        let ending: [Effect] = switch state {
        case .cold, .resetting, .shutDown: []
        case .initializing: [.failInit, .endProcesses]
        case .ready: [.endProcesses]
        case .invoking: [.answerInFlight(responded: false), .endProcesses]
        case .postResponse: [.answerInFlight(responded: true), .endProcesses]
        case .frozen: [.thaw, .endProcesses]
        }
        for event in events {
            let expected: (State, [Effect])?
            switch (state, event) {
            case (.shutDown, .shutdown), (.shutDown, .reset), (.shutDown, .resetDone): expected = (.shutDown, [])
            case (.shutDown, _): expected = nil
            case (_, .shutdown): expected = (.shutDown, ending + [.refuseQueued])
            case (.cold, .reset): expected = (.cold, [])
            case (.resetting, .reset): expected = (.resetting, [])
            case (_, .reset): expected = (.resetting, ending)
            case (.resetting, .resetDone): expected = (.cold, [])
            case (.cold, .coldStart): expected = (.initializing, [.startProcesses])
            case (.initializing, .initSucceeded): expected = (.ready, [])
            // Init fails only while it runs; from any other state the event is a runner bug.
            case (.initializing, .initFailed): expected = (.resetting, [.failInit, .endProcesses])
            case (.ready, .deliver): expected = (.invoking, [])
            case (.frozen, .deliver): expected = (.invoking, [.thaw])
            case (.invoking, .respond): expected = (.postResponse, [])
            case (.invoking, .finish(true)), (.postResponse, .finish(true)): expected = (.frozen, [.freeze])
            case (.invoking, .finish(false)), (.postResponse, .finish(false)): expected = (.ready, [])
            default: expected = nil
            }
            var lifecycle = try Self.at(state)
            if let (next, effects) = expected {
                #expect(try lifecycle.handle(event) == effects, "\(state) on \(event)")
                #expect(lifecycle.state == next, "\(state) on \(event)")
            } else {
                #expect(throws: SandboxLifecycle.InvalidTransition.self, "\(state) on \(event)") { try lifecycle.handle(event) }
                #expect(lifecycle.state == state, "a refused \(event) leaves \(state) as it was")
            }
        }
    }
}
