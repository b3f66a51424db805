/// "Did you mean ...?" for a mistyped value: the nearest valid one, when it is near enough to be a typo.
public enum Suggestion {
    /// The candidate closest to `value` by edit distance (case-insensitive), if within a third of
    /// its length (at least 2 edits) or `maximum`: `extensoin` → `extension`, `pyhton` → `python`, not
    /// `java` → `node`. Where any name is valid (recommend's languages), pass 1: `rust` is not a typo of `ruby`.
    public static func nearest(to value: String, in candidates: [String], maximum: Int? = nil) -> String? {
        let typed = Array(value.lowercased())
        let scored = candidates.map { ($0, distance(typed, Array($0.lowercased()))) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 > 0 else { return nil }
        return best.1 <= (maximum ?? max(2, best.0.count / 3)) ? best.0 : nil
    }

    /// Levenshtein distance, with a swap of two neighbours counted as one edit (Damerau).
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var table = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[a.count][b.count]
    }
}
