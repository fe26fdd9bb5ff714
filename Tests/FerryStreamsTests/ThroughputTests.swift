import Foundation
import FerryStreams
import Testing

/// Rough throughput of the compression stages; run with `FERRY_BENCH=1 swift test -c release
/// --filter ThroughputTests`. Prints MB/s of uncompressed data.
@Suite("Throughput", .enabled(if: ProcessInfo.processInfo.environment["FERRY_BENCH"] != nil, "set FERRY_BENCH to measure"))
struct ThroughputTests {
    @Test func compressionStages() async throws {
        let data = sampleData(count: 200 << 20, seed: 11)
        func measure(_ label: String, _ body: () async throws -> [UInt8]) async throws -> [UInt8] {
            let start = ContinuousClock.now
            let output = try await body()
            let seconds = (ContinuousClock.now - start) / .seconds(1)
            print("\(label): \(Int(Double(data.count) / 1_000_000 / seconds)) MB/s (\(output.count) bytes out)")
            return output
        }
        let gz = try await measure("gzip default level compress (parallel)") { try await collect(ParallelCompressStream(MemoryByteStream(data))).bytes }
        let gunzipped = try await measure("gzip decompress (ISA-L)") {
            try await collect(IsalGzipDecompressStream(MemoryByteStream(gz), context: "bench")).bytes
        }
        #expect(gunzipped == data)
        let zst = try await measure("zstd -3 compress") {
            try await collect(compressed(MemoryByteStream(data), format: CompressionFormat.zstd, level: 3)).bytes
        }
        let unzstded = try await measure("zstd decompress") { try await collect(ZstdDecompressStream(MemoryByteStream(zst), context: "bench")).bytes }
        #expect(unzstded == data)
        // The same work without collecting the output, and the command-line tools on the same bytes.
        _ = try await measure("gzip default level compress, drained") {
            [try await ParallelCompressStream(MemoryByteStream(data)).drain()].map { UInt8(truncatingIfNeeded: $0) }
        }
        _ = try await measure("zstd -3 compress, drained") {
            [try await compressed(MemoryByteStream(data), format: CompressionFormat.zstd, level: 3).drain()].map { UInt8(truncatingIfNeeded: $0) }
        }
        _ = try await measure("gzip decompress (ISA-L), drained") {
            [try await IsalGzipDecompressStream(MemoryByteStream(gz), context: "bench").drain()].map { UInt8(truncatingIfNeeded: $0) }
        }
        _ = try await measure("zstd decompress, drained") {
            [try await ZstdDecompressStream(MemoryByteStream(zst), context: "bench").drain()].map { UInt8(truncatingIfNeeded: $0) }
        }
        if tool("gzip") != nil, tool("zstd") != nil {
            let directory = try TemporaryDirectory()
            try directory.write("data", data)
            try directory.write("data.gz", gz)
            try directory.write("data.zst", zst)
            _ = try await measure("gzip tool -6") { try run("gzip", ["-6", "-c", directory.path("data")]) }
            _ = try await measure("gzip tool -d") { try run("gzip", ["-d", "-c", directory.path("data.gz")]) }
            _ = try await measure("zstd tool -3") { try run("zstd", ["-q", "-3", "-c", directory.path("data")]) }
            _ = try await measure("zstd tool -d") { try run("zstd", ["-q", "-d", "-c", directory.path("data.zst")]) }
        }
    }
}
