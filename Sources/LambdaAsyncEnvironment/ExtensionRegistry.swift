import Foundation
import LambdaAsyncCore
import NIOCore

/// The extensions of one environment, as the Extensions API sees them: which external ones init
/// waits for, who registered for which events, what each has not read yet, and who is still busy
/// with the invocation. Plain state, no processes: the sandbox owns it on its event loop and its
/// rules are unit-tested on their own.
struct ExtensionRegistry {
    struct Member {
        let id: String
        let name: String
        let events: Set<String>
        /// Internal extensions (started by the runtime) may subscribe to INVOKE only.
        let isInternal: Bool
        /// Its `/event/next`, waiting for an event.
        var waiter: EventLoopPromise<APIResponse>?
        /// Events it has not asked for yet (a busy extension reads SHUTDOWN at its next call).
        var queued: [[String: Any]] = []
        /// It asked for its first event: for init, it is ready.
        var ready = false
        /// It received the invocation and has not asked for its next event yet.
        var busy = false
        var doneAt: UInt64 = 0
    }

    private(set) var members: [String: Member] = [:]
    /// The external extensions found in /opt/extensions: the runtime starts once all registered.
    var expected: Set<String> = []
    /// Registration closes at the runtime's first `/next`, as on Lambda.
    var registrationOpen = true
    /// External extensions that reported `/extension/exit/error`: their exit is `Extension.ExitError`.
    private(set) var exitErrors: Set<String> = []

    subscript(id: String) -> Member? { members[id] }
    var isEmpty: Bool { members.isEmpty }
    var names: Set<String> { Set(members.values.map(\.name)) }
    /// Every external extension found has registered.
    var allExpectedRegistered: Bool { expected.isSubset(of: names) }
    /// Init is over for the extensions: every one found registered, every one registered asked for an event.
    var allReady: Bool { allExpectedRegistered && members.values.allSatisfy(\.ready) }
    /// Some INVOKE subscriber has not finished the invocation yet.
    var anyBusy: Bool { members.values.contains(where: \.busy) }
    /// An extension the runtime started registered (it lives in the runtime's process).
    var hasInternal: Bool { members.values.contains(where: \.isInternal) }
    var shutdownSubscribers: Set<String> { Set(members.values.filter { $0.events.contains("SHUTDOWN") }.map(\.name)) }

    /// A new environment: nobody registered, registration open.
    mutating func startOver(expecting names: Set<String> = []) {
        members = [:]
        expected = names
        registrationOpen = true
        exitErrors = []
    }

    /// `POST /extension/register`: the new member, or the Extensions API's refusal.
    mutating func register(name: String?, events requested: [String]) -> Result<Member, APIError> {
        guard registrationOpen else {
            return .failure(APIError("Extension.RegistrationClosed", "registration closes at the runtime's first /next"))
        }
        guard let name, !name.isEmpty else { return .failure(APIError("Extension.InvalidName", "Lambda-Extension-Name is required")) }
        guard !names.contains(name) else {
            return .failure(APIError("Extension.AlreadyRegistered", "an extension named \(name) is registered already"))
        }
        guard members.count < LambdaQuotas.extensionsPerFunction else {
            return .failure(APIError("Extension.TooManyExtensions", "at most \(LambdaQuotas.extensionsPerFunction) extensions"))
        }
        let isInternal = !expected.contains(name)
        guard requested.allSatisfy({ $0 == "INVOKE" || $0 == "SHUTDOWN" }), !(isInternal && requested.contains("SHUTDOWN")) else {
            return .failure(APIError("Extension.InvalidEventType",
                                     isInternal ? "internal extensions may subscribe to INVOKE only" : "events must be INVOKE or SHUTDOWN"))
        }
        let member = Member(id: UUID().uuidString.lowercased(), name: name, events: Set(requested), isInternal: isInternal)
        members[member.id] = member
        return .success(member)
    }

    /// `GET /extension/event/next`: answers `promise` now with a queued event or keeps it for the next
    /// one; the call also ends the member's part of the invocation. Whether this was the member's
    /// first call (it is now ready); nil for an unknown id, answered with Lambda's 403.
    mutating func next(id: String?, answer promise: EventLoopPromise<APIResponse>, at time: UInt64) -> Bool? {
        guard let id, var member = members[id] else {
            promise.succeed(.error(.forbidden, "Extension.InvalidExtensionIdentifier", "Lambda-Extension-Identifier is missing or unknown"))
            return nil
        }
        if !member.queued.isEmpty {
            promise.succeed(.json(.ok, member.queued.removeFirst()))
        } else {
            member.waiter = promise
        }
        if member.busy {
            member.busy = false
            member.doneAt = time
        }
        let first = !member.ready
        member.ready = true
        members[id] = member
        return first
    }

    /// An event for every member subscribed to its type; INVOKE makes them busy until their next call.
    mutating func deliver(_ type: String, _ event: [String: Any]) {
        for id in members.keys where members[id]!.events.contains(type) {
            if type == "INVOKE" { members[id]!.busy = true }
            if let waiter = members[id]!.waiter {
                members[id]!.waiter = nil
                waiter.succeed(.json(.ok, event))
            } else {
                members[id]!.queued.append(event)
            }
        }
    }

    mutating func exitedWithError(_ name: String) { exitErrors.insert(name) }

    /// When each INVOKE subscriber finished an invocation delivered at `start`, in ms from it.
    func doneTimes(since start: UInt64) -> [String: Double] {
        Dictionary(members.values.filter { $0.events.contains("INVOKE") && $0.doneAt >= start }
            .map { ($0.name, milliseconds(from: start, to: $0.doneAt)) }, uniquingKeysWith: max)
    }
}

/// A refusal of the Extensions API: Lambda answers these with 403 and this error type.
struct APIError: Error, Equatable {
    let type: String
    let message: String
    init(_ type: String, _ message: String) {
        self.type = type
        self.message = message
    }
}
