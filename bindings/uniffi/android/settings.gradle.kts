// The Android library module for offramp, buildable on its own or included in an app's build
// (`include(":offramp")` with `project(":offramp").projectDir = file(".../bindings/uniffi/android")`).
// scripts/build-android fills src/main/kotlin and src/main/jniLibs first.
//
// The plugin versions live here, not in build.gradle.kts: built on its own, the module uses
// these; included in an app's build, it uses the app's own Android Gradle plugin and Kotlin
// versions, so the two never clash.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
    plugins {
        id("com.android.library") version "8.7.3"
        id("org.jetbrains.kotlin.android") version "2.1.0"
    }
}
dependencyResolutionManagement {
    repositories {
        google()
        mavenCentral()
    }
}
rootProject.name = "offramp"
