import FerryRegistry
import Testing

/// The `Range` header of upload answers (formats.md §8.3 item 5), as a table.
struct UploadRangeTests {
    @Test(
        arguments: [
            // The OCI form, and the old document's `bytes=` form: 0-E means E+1 bytes.
            ("0-99", 0, 100),
            ("bytes=0-99", 0, 100),
            ("bytes 0-65535", 65536, 65536),
            (" 0-1048575 ", 0, 1_048_576),
            // 0-0 is 0 or 1 byte: what was acknowledged before decides.
            ("0-0", 0, 0),
            ("0-0", 1, 1),
            ("0-0", 65536, 0),
            // Not a range from 0: unusable.
            ("5-10", 0, nil),
            ("0-", 0, nil),
            ("-1", 0, nil),
            ("", 0, nil),
            ("0--3", 0, nil),
        ] as [(String, Int64, Int64?)])
    func readsHowManyBytesTheRegistryHolds(value: String, acknowledged: Int64, expected: Int64?) {
        #expect(UploadRange.received(value, acknowledged: acknowledged) == expected)
    }

    @Test func missingHeaderIsUnusable() {
        #expect(UploadRange.received(nil, acknowledged: 0) == nil)
    }
}
