import FerryStreams
import Testing

@Suite("TarPath")
struct TarPathTests {
    @Test(arguments: [
        // Already canonical.
        ("manifest.json", "manifest.json"),
        ("blobs/sha256/abc", "blobs/sha256/abc"),
        // Leading ./ stripped, repeated slashes collapsed, . components dropped.
        ("./manifest.json", "manifest.json"),
        ("././a", "a"),
        ("blobs//sha256///abc", "blobs/sha256/abc"),
        ("a/./b/.", "a/b"),
        // Directories keep no trailing slash.
        ("dir/", "dir"),
        ("./dir//", "dir"),
        // Dots inside names are not components.
        ("..foo/bar..", "..foo/bar.."),
        (".hidden", ".hidden"),
    ])
    func normalizesSafeNames(name: String, expected: String) throws {
        #expect(try TarPath.normalize(name) == expected)
    }

    @Test(arguments: [
        // Escapes through "..".
        "..", "../etc/passwd", "a/../../b", "a/..", "./../x",
        // Absolute names.
        "/etc/passwd", "//x",
        // Empty, or naming only the root.
        "", ".", "./", "/",
        // NUL bytes.
        "a\u{0}b",
    ])
    func rejectsUnsafeNames(name: String) {
        #expect {
            try TarPath.normalize(name)
        } throws: { error in
            guard let error = error as? StreamError else { return false }
            return error.code == .unsafePath && error.message.contains("tar member")
        }
    }

    @Test func messageNamesTheMember() {
        #expect {
            try TarPath.normalize("layers/../../evil")
        } throws: { ($0 as? StreamError)?.message.contains("layers/../../evil") == true }
    }
}
