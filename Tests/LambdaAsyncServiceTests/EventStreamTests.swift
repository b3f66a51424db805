import Testing
@testable import LambdaAsyncService

@Suite struct EventStreamTests {
    @Test func eventStreamFramesCarryZlibCRCs() {
        #expect(EventStream.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
        let frame = EventStream.chunk(Array("hi".utf8))
        let total = frame.prefix(4).reduce(0) { $0 << 8 | Int($1) }
        #expect(total == frame.count)
        #expect(frame.suffix(6).prefix(2) == ArraySlice(Array("hi".utf8)))
    }
}
