import FerrySpec
import Testing

@Suite struct ByteSizeTests {
    @Test(arguments: [
        ("4096", Int64(4096)), ("0", 0), ("64KiB", 65_536), ("64k", 65_536), ("8MiB", 8 << 20), ("1G", 1 << 30),
        ("3.9GiB", 4_187_593_113), ("700MB", 700_000_000), ("4GB", 4_000_000_000), ("25gb", 25_000_000_000),
        ("1TiB", 1 << 40), ("0.5k", 512), ("2b", 2),
    ])
    func sizes(_ text: String, _ bytes: Int64) {
        #expect(ByteSize.parse(text) == bytes)
    }

    @Test(arguments: ["", "GiB", "1.5", "1..5G", ".5G", "5.G", "-1", "1 GiB", "1PiB", "9223372036854775807k", "99999999999T", "1e9"])
    func notSizes(_ text: String) {
        #expect(ByteSize.parse(text) == nil)
    }
}
