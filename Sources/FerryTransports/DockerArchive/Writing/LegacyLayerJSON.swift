import Foundation

/// The legacy v1 `<id>/json` of a layer in a `docker save` archive: `id`, `parent` (the layer
/// below, absent for the base), `created`, and for an image's top layer the fields of the image
/// config (`architecture`, `os`, `config`, …) without `rootfs` and `history`, as docker save
/// writes them. Deterministic: keys sorted.
enum LegacyLayerJSON {
    static func bytes(id: String, parent: String?, config: [UInt8], isTop: Bool) -> [UInt8] {
        let image = (try? JSONSerialization.jsonObject(with: Data(config))) as? [String: Any] ?? [:]
        var json: [String: Any]
        if isTop {
            json = image
            json["rootfs"] = nil
            json["history"] = nil
        } else {
            json = ["created": image["created"] as? String ?? "1970-01-01T00:00:00Z", "container_config": [String: Any]()]
            for key in ["os", "architecture"] { json[key] = image[key] }
        }
        json["id"] = id
        json["parent"] = parent
        let data = (try? JSONSerialization.data(withJSONObject: json, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return [UInt8](data)
    }
}
