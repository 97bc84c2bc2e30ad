// The Android library module for offramp, buildable on its own or included in an app's build
// (`include(":offramp")` with `project(":offramp").projectDir = file(".../bindings/uniffi/android")`).
// scripts/build-android fills src/main/kotlin and src/main/jniLibs first.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}
dependencyResolutionManagement {
    repositories {
        google()
        mavenCentral()
    }
}
rootProject.name = "offramp"
