// Checks that Kotlin files parse, with the Kotlin compiler's own parser: used on the Android
// module's Gradle files (Kotlin script), since no Gradle runs on the project's machines.
// Prints one line per file (and one per syntax error, with its line and column); the exit
// status is 1 when any file has a syntax error.
//
// Usage: java ... CheckSyntaxKt FILE...
@file:Suppress("OPT_IN_USAGE_ERROR")
@file:OptIn(org.jetbrains.kotlin.config.CompilerConfiguration.Internals::class)

import com.intellij.openapi.util.Disposer
import com.intellij.psi.PsiErrorElement
import com.intellij.psi.util.PsiTreeUtil
import org.jetbrains.kotlin.cli.extensionsStorage
import org.jetbrains.kotlin.cli.jvm.compiler.EnvironmentConfigFiles
import org.jetbrains.kotlin.cli.jvm.compiler.KotlinCoreEnvironment
import org.jetbrains.kotlin.compiler.plugin.CompilerPluginRegistrar
import org.jetbrains.kotlin.config.CompilerConfiguration
import org.jetbrains.kotlin.psi.KtPsiFactory
import java.io.File
import kotlin.system.exitProcess

fun main(args: Array<String>) {
    val disposable = Disposer.newDisposable()
    val config = CompilerConfiguration()
    config.extensionsStorage = CompilerPluginRegistrar.ExtensionStorage()
    val env = KotlinCoreEnvironment.createForProduction(disposable, config, EnvironmentConfigFiles.JVM_CONFIG_FILES)
    val factory = KtPsiFactory(env.project, false)
    var bad = 0
    for (path in args) {
        val text = File(path).readText()
        // The name's extension tells the parser it is a script (.kts), as Gradle reads it.
        val file = factory.createFile(File(path).name, text)
        val errors = PsiTreeUtil.collectElementsOfType(file, PsiErrorElement::class.java)
        for (e in errors) {
            val before = text.substring(0, e.textOffset)
            val line = before.count { it == '\n' } + 1
            val column = e.textOffset - (before.lastIndexOf('\n') + 1) + 1
            println("$path:$line:$column: ${e.errorDescription}")
        }
        if (errors.isEmpty()) println("$path: parses") else bad++
    }
    Disposer.dispose(disposable)
    if (bad > 0) exitProcess(1)
}
