/// Invocations of one environment wait their turn: it runs one at a time, as on Lambda.
/// Confined to the sandbox's event loop like the invocations it holds.
struct InvocationQueue<Item> {
    private var waiting: [Item] = []
    /// One invocation has started and not ended.
    private(set) var busy = false

    var isEmpty: Bool { waiting.isEmpty }

    mutating func append(_ item: Item) { waiting.append(item) }

    /// The next invocation to start, when none is running; it runs until `ended()`.
    mutating func next() -> Item? {
        guard !busy, !waiting.isEmpty else { return nil }
        busy = true
        return waiting.removeFirst()
    }

    mutating func ended() { busy = false }

    /// Everything still waiting, taken out (the sandbox stops: each gets its answer).
    mutating func drain() -> [Item] {
        defer { waiting = [] }
        return waiting
    }
}
