/// The three block sizes, memcached-style: a request goes to the smallest class that fits it in
/// one block; anything over 10 KiB is a chain of large blocks.
public enum SizeClass: String, Sendable, Codable, CaseIterable {
    case small, medium, large

    public var blockSize: Int {
        switch self {
        case .small: 1024
        case .medium: 10 * 1024
        case .large: 64 * 1024
        }
    }

    /// Blocks carved from one slab allocation: classes grow and shrink a slab at a time.
    public var blocksPerSlab: Int {
        switch self {
        case .small: 32
        case .medium: 8
        case .large: 4
        }
    }

    /// small below 1 KiB, medium from 1 KiB to under 10 KiB, large from 10 KiB.
    public static func forRequest(_ bytes: Int) -> SizeClass {
        if bytes < 1024 { return .small }
        if bytes < 10 * 1024 { return .medium }
        return .large
    }
}
