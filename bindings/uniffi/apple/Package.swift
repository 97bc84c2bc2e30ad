// swift-tools-version:5.9
// offramp for iOS and macOS: the Swift bindings (module Offramp) over the Rust library, shipped
// as an XCFramework. ../scripts/build-xcframework writes Sources/Offramp/Offramp.swift and
// OfframpFFI.xcframework beside this file (on a Mac with Xcode).
import PackageDescription

let package = Package(
    name: "Offramp",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [
        .library(name: "Offramp", targets: ["Offramp"]),
    ],
    targets: [
        .binaryTarget(name: "OfframpFFI", path: "OfframpFFI.xcframework"),
        .target(name: "Offramp", dependencies: ["OfframpFFI"], path: "Sources/Offramp"),
    ]
)
