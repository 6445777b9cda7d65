// SPDX-License-Identifier: Apache-2.0
// The camguard executable: serve, demo, audit, audit-log verify, erase.

// GCC 12 reports a "potential null pointer dereference" inside CLI11 2.3's detail::split
// (inlined std::string moves) once a vector option exists; the code is CLI11's, not ours.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wnull-dereference"
#endif
#include <cstdio>

#include <CLI/CLI.hpp>

#include "app/daemon.h"
#include "config/config.h"
#include "scan/audit.h"

int main(int argc, char** argv) {
  CLI::App cli{"camguard: a self-hosted, secure-by-design home camera hub"};
  cli.require_subcommand(1);
  cli.set_version_flag("--version", "camguard 0.1.0");

  camguard::app::ServeOptions serve;
  std::string listen;
  std::string config_file;
  auto* serve_cmd = cli.add_subcommand("serve", "run the hub");
  serve_cmd->add_option("--data-dir", serve.data_dir, "data directory (created 0700)")->required();
  serve_cmd->add_option("--config", config_file, "TOML configuration file")
      ->check(CLI::ExistingFile);
  serve_cmd->add_option("--listen", listen, "ADDR:PORT to listen on (default 0.0.0.0:8443)");

  camguard::app::ServeOptions demo;
  std::string demo_listen = "127.0.0.1:8443";
  int demo_cameras = 4;
  auto* demo_cmd = cli.add_subcommand("demo", "run the hub on loopback for a demonstration");
  demo_cmd->add_option("--data-dir", demo.data_dir, "data directory")->default_val("camguard-demo");
  demo_cmd->add_option("--listen", demo_listen, "ADDR:PORT")->capture_default_str();
  demo_cmd->add_option("--cameras", demo_cameras, "number of simulated cameras")
      ->check(CLI::Range(0, 64))
      ->capture_default_str();
  std::filesystem::path camsim_lines;
  demo_cmd
      ->add_option("--camsim-lines", camsim_lines,
                   "register the cameras camsim printed (its JSON lines) at start")
      ->check(CLI::ExistingFile);

  camguard::scan::AuditCommandOptions scan;
  auto* scan_cmd = cli.add_subcommand(
      "audit",
      "security-test cameras on the network the way the Consumer Council did (EN 303 645)");
  scan_cmd->add_option("targets", scan.targets, "host, host:port or CIDR block (IPv4)")->required();
  scan_cmd->add_option("--json", scan.json_path, "write the report as JSON to this file");
  scan_cmd->add_option("--html", scan.html_path, "write the report as one HTML page to this file");
  scan_cmd->add_flag("--allow-public", scan.allow_public,
                     "also scan public addresses (only cameras you own)");
  scan_cmd->add_flag("--brute-force-test", scan.brute_force_test,
                     "try 20 fast wrong logins per service to see whether the camera locks out");
  scan_cmd->add_option("--ports", scan.ports,
                       "ports to scan, e.g. 554,8554,80-90 (default: camera ports)");
  scan_cmd->add_option("--timeout", scan.timeout_ms, "connect and answer timeout in ms")
      ->capture_default_str();
  scan_cmd
      ->add_option("--concurrency", scan.concurrency,
                   "cameras audited at once (the port scan keeps 8 connects each in flight)")
      ->capture_default_str();
  scan_cmd->add_flag("--verbose", scan.verbose, "log every probe on stderr");

  std::filesystem::path verify_dir;
  auto* audit_cmd = cli.add_subcommand("audit-log", "work with the tamper-evident audit log");
  audit_cmd->require_subcommand(1);
  auto* verify_cmd =
      audit_cmd->add_subcommand("verify", "verify the hash chain; exit 0 only if intact");
  verify_cmd->add_option("--data-dir", verify_dir, "data directory")->required();
  std::filesystem::path reanchor_dir;
  auto* reanchor_cmd = audit_cmd->add_subcommand(
      "reanchor", "after restoring a backup: re-anchor an intact chain at its current head");
  reanchor_cmd->add_option("--data-dir", reanchor_dir, "data directory")->required();

  std::filesystem::path erase_dir;
  bool erase_yes = false;
  auto* erase_cmd = cli.add_subcommand("erase", "erase all user data (asks for confirmation)");
  erase_cmd->add_option("--data-dir", erase_dir, "data directory")->required();
  erase_cmd->add_flag("--yes", erase_yes, "do not ask for confirmation");

  auto* example_cmd = cli.add_subcommand("example-config",
                                         "print a commented configuration file with the defaults");

  CLI11_PARSE(cli, argc, argv);

  if (example_cmd->parsed()) {
    std::fputs(camguard::config::ExampleConfig().c_str(), stdout);
    return 0;
  }

  if (serve_cmd->parsed()) {
    if (!config_file.empty()) serve.config_file = config_file;
    if (!listen.empty()) serve.listen = listen;
    return camguard::app::Serve(serve);
  }
  if (demo_cmd->parsed()) {
    demo.listen = demo_listen;
    demo.demo = true;
    demo.demo_cameras = demo_cameras;
    if (!camsim_lines.empty()) demo.demo_camsim_lines = camsim_lines;
    return camguard::app::Serve(demo);
  }
  if (scan_cmd->parsed()) return camguard::scan::RunAuditCommand(scan);
  if (verify_cmd->parsed()) return camguard::app::VerifyAuditLog(verify_dir);
  if (reanchor_cmd->parsed()) return camguard::app::ReanchorAuditLog(reanchor_dir);
  if (erase_cmd->parsed()) return camguard::app::Erase(erase_dir, erase_yes);
  return 2;
}
