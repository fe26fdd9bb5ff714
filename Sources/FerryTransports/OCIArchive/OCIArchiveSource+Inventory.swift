extension OCIArchiveSource: LayoutInventory {
    public func indexBytes() throws -> [UInt8] { try reader.indexBytes() }
    public func blobInventory() throws -> [LayoutBlobEntry] { try members.blobEntries() }
}
