import NIOCore

/// A cold start's init while someone waits for it: the caller's promise and the 10 s timer that
/// ends it. Ending it one way or another goes through `succeed` or `fail`, so the timer is always
/// cancelled and the caller answered once.
struct PendingInit {
    let promise: EventLoopPromise<Void>
    var timer: Scheduled<Void>?
    /// The runtime has asked for its first event; init ends when the extensions have too.
    var runtimeAsked = false

    init(promise: EventLoopPromise<Void>) { self.promise = promise }

    func succeed() {
        timer?.cancel()
        promise.succeed(())
    }

    func fail(_ error: Error) {
        timer?.cancel()
        promise.fail(error)
    }
}

/// Why the last init failed, as the invocation that waited for it reports it.
struct InitFailure {
    let type: String
    let body: [UInt8]
}
