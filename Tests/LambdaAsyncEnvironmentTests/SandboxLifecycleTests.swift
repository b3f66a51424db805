import Testing
@testable import LambdaAsyncEnvironment

@Suite struct SandboxLifecycleTests {
    /// The environment's lifecycle with stand-ins for what its states hold: init 1, invocation 2.
    typealias Lifecycle = SandboxLifecycle<Int, Int>
    typealias State = SandboxState

    /// A lifecycle brought to `state` through the events that lead there.
    static func at(_ state: State) throws -> Lifecycle {
        var lifecycle = Lifecycle()
        let path: [Lifecycle.Event]
        switch state {
        case .cold: path = []
        case .initializing: path = [.coldStart(1)]
        case .ready: path = [.coldStart(1), .initSucceeded]
        case .invoking: path = [.coldStart(1), .initSucceeded, .deliver(2)]
        case .postResponse: path = [.coldStart(1), .initSucceeded, .deliver(2), .respond]
        case .frozen: path = [.coldStart(1), .initSucceeded, .deliver(2), .respond, .finish(freeze: true)]
        case .resetting: path = [.coldStart(1), .initSucceeded, .reset]
        case .shutDown: path = [.shutdown]
        }
        for event in path { try lifecycle.handle(event) }
        #expect(lifecycle.state == state)
        return lifecycle
    }

    @Test func aWarmInvocationFreezesAndTheNextThaws() throws {
        var lifecycle = Lifecycle()
        #expect(try lifecycle.handle(.coldStart(1)) == [.startProcesses])
        #expect(try lifecycle.handle(.initSucceeded) == [])
        #expect(try lifecycle.handle(.deliver(2)) == [])
        #expect(try lifecycle.handle(.respond) == [])
        #expect(lifecycle.state == .postResponse)
        #expect(try lifecycle.handle(.finish(freeze: true)) == [.freeze])
        #expect(lifecycle.isFrozen)
        #expect(try lifecycle.handle(.deliver(2)) == [.thaw])
        #expect(lifecycle.state == .invoking)
        // Ended without a response (the runtime asked for more): frozen all the same.
        #expect(try lifecycle.handle(.finish(freeze: true)) == [.freeze])
        #expect(try lifecycle.handle(.deliver(2)) == [.thaw])
        #expect(try lifecycle.handle(.respond) == [])
        #expect(try lifecycle.handle(.finish(freeze: false)) == [])
        #expect(lifecycle.state == .ready)
    }

    @Test func aFailedInitEndsTheEnvironmentAndAnswersTheWaitingInvocation() throws {
        var lifecycle = try Self.at(.initializing)
        #expect(try lifecycle.handle(.initFailed) == [.failInit(1), .endProcesses])
        #expect(lifecycle.state == .resetting)
        #expect(try lifecycle.handle(.resetDone) == [])
        #expect(lifecycle.state == .cold)
        #expect(try lifecycle.handle(.coldStart(1)) == [.startProcesses])
    }

    /// Reset from every state: the caller in flight is always answered, and the next start is cold.
    @Test(arguments: State.allCases)
    func resetAnswersEveryCaller(_ state: State) throws {
        var lifecycle = try Self.at(state)
        let effects = try lifecycle.handle(.reset)
        switch state {
        case .cold, .resetting, .shutDown: #expect(effects == [])
        case .initializing: #expect(effects == [.failInit(1), .endProcesses])
        case .ready: #expect(effects == [.endProcesses])
        case .invoking: #expect(effects == [.answerInFlight(2, responded: false), .endProcesses])
        case .postResponse: #expect(effects == [.answerInFlight(2, responded: true), .endProcesses])
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
            #expect(try lifecycle.handle(.coldStart(1)) == [.startProcesses])
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
        if state == .invoking { #expect(effects.contains(.answerInFlight(2, responded: false))) }
        if state == .postResponse { #expect(effects.contains(.answerInFlight(2, responded: true))) }
        if state == .initializing { #expect(effects.contains(.failInit(1))) }
        #expect(lifecycle.state == .shutDown)
        #expect(throws: Lifecycle.InvalidTransition.self) { try lifecycle.handle(.coldStart(1)) }
        #expect(throws: Lifecycle.InvalidTransition.self) { try lifecycle.handle(.deliver(2)) }
        // A reset finishing after the shutdown changes nothing.
        #expect(try lifecycle.handle(.resetDone) == [])
        #expect(lifecycle.state == .shutDown)
    }

    /// What a state holds exists only in that state: the init while initializing, the invocation while
    /// invoking and after its response; a move out of the state lets go of it.
    @Test(arguments: State.allCases)
    func eachStateHoldsOnlyItsOwn(_ state: State) throws {
        var lifecycle = try Self.at(state)
        #expect(lifecycle.pendingInit == (state == .initializing ? 1 : nil))
        #expect(lifecycle.invocation == ([.invoking, .postResponse].contains(state) ? 2 : nil))
        lifecycle.updatePendingInit { $0 += 10 }
        #expect(lifecycle.pendingInit == (state == .initializing ? 11 : nil))
        #expect(lifecycle.state == state)
        try lifecycle.handle(.reset)
        #expect(lifecycle.pendingInit == nil && lifecycle.invocation == nil)
    }

    @Test func eventsOutOfOrderAreRefused() throws {
        #expect(throws: Lifecycle.InvalidTransition.self) { var l = Lifecycle(); try l.handle(.deliver(2)) }
        #expect(throws: Lifecycle.InvalidTransition.self) { var l = try Self.at(.ready); try l.handle(.respond) }
        #expect(throws: Lifecycle.InvalidTransition.self) { var l = try Self.at(.postResponse); try l.handle(.respond) }
        #expect(throws: Lifecycle.InvalidTransition.self) { var l = try Self.at(.resetting); try l.handle(.coldStart(1)) }
        #expect(throws: Lifecycle.InvalidTransition.self) { var l = try Self.at(.invoking); try l.handle(.coldStart(1)) }
        #expect(throws: Lifecycle.InvalidTransition.self) { var l = try Self.at(.frozen); try l.handle(.initSucceeded) }
    }

    /// Every event in every state: where it leads and what it obliges, or refused. The table is the
    /// specification, written out rather than derived.
    @Test(arguments: State.allCases)
    func everyTransitionIsSpecified(_ state: State) throws {
        typealias Event = Lifecycle.Event
        typealias Effect = Lifecycle.Effect
        let events: [Event] = [.coldStart(1), .initSucceeded, .initFailed, .deliver(2), .respond, .finish(freeze: true),
                               .finish(freeze: false), .reset, .resetDone, .shutdown]
        /// What ending the environment from `state` owes (reset and shutdown share it).
        let ending: [Effect] = switch state {
        case .cold, .resetting, .shutDown: []
        case .initializing: [.failInit(1), .endProcesses]
        case .ready: [.endProcesses]
        case .invoking: [.answerInFlight(2, responded: false), .endProcesses]
        case .postResponse: [.answerInFlight(2, responded: true), .endProcesses]
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
            case (.cold, .coldStart(1)): expected = (.initializing, [.startProcesses])
            case (.initializing, .initSucceeded): expected = (.ready, [])
            // Init fails only while it runs; from any other state the event is a runner bug.
            case (.initializing, .initFailed): expected = (.resetting, [.failInit(1), .endProcesses])
            case (.ready, .deliver(2)): expected = (.invoking, [])
            case (.frozen, .deliver(2)): expected = (.invoking, [.thaw])
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
                #expect(throws: Lifecycle.InvalidTransition.self, "\(state) on \(event)") { try lifecycle.handle(event) }
                #expect(lifecycle.state == state, "a refused \(event) leaves \(state) as it was")
            }
        }
    }
}
