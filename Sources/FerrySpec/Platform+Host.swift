extension Platform {
    /// The platform of the machine Ferry runs on, as containerd's default matcher would choose.
    public static var host: Platform {
        #if arch(arm64)
        return Platform(os: "linux", architecture: "arm64", variant: "v8")
        #elseif arch(arm)
        return Platform(os: "linux", architecture: "arm", variant: "v7")
        #else
        return Platform(os: "linux", architecture: "amd64")
        #endif
    }
}
