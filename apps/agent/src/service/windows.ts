import type { ServiceSpec } from './systemd.ts';

/**
 * Windows: Node.js cannot answer the Service Control Manager itself, so `service install` compiles
 * a small service host with the C# compiler every Windows has (.NET Framework 4's csc.exe) and
 * registers it with sc.exe as "Outpost Agent". The host runs the agent with Node.js, appends its
 * output to `outpost-agent.log` in the agent home, and stops it gracefully by closing its standard
 * input (`start --stop-on-stdin-end`). No third-party wrapper is downloaded.
 */
export const WINDOWS_SERVICE_NAME = 'OutpostAgent';
export const WINDOWS_DISPLAY_NAME = 'Outpost Agent';
export const WINDOWS_HOST_SOURCE = 'outpost-agent-service.cs';
export const WINDOWS_HOST_EXE = 'outpost-agent-service.exe';

export function renderWindowsServiceHost(spec: ServiceSpec): string {
  const verbatim = (value: string) => `@"${value.replace(/"/g, '""')}"`;
  return `// Written by \`outpost-agent service install\`: the "${WINDOWS_DISPLAY_NAME}" Windows service.
using System;
using System.Diagnostics;
using System.IO;
using System.ServiceProcess;

public class OutpostAgentService : ServiceBase
{
    const string NodePath = ${verbatim(spec.nodePath)};
    const string BundlePath = ${verbatim(spec.bundlePath)};
    const string AgentHome = ${verbatim(spec.home)};
    // The agent's exit code when restarting cannot help (token revoked, agent deleted).
    const int ExitFinal = 3;
    // The agent's exit code after an auto-upgrade: start it again, now the new version.
    const int ExitRestart = 4;

    Process agent;
    StreamWriter log;
    volatile bool stopping;

    public OutpostAgentService()
    {
        ServiceName = "${WINDOWS_SERVICE_NAME}";
        CanStop = true;
        CanShutdown = true;
    }

    protected override void OnStart(string[] args)
    {
        Directory.CreateDirectory(AgentHome);
        FileStream file = new FileStream(Path.Combine(AgentHome, "outpost-agent.log"), FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        log = new StreamWriter(file);
        log.AutoFlush = true;
        StartAgent();
    }

    void StartAgent()
    {
        ProcessStartInfo info = new ProcessStartInfo(NodePath, "\\"" + BundlePath + "\\" start --stop-on-stdin-end");
        info.UseShellExecute = false;
        info.CreateNoWindow = true;
        info.RedirectStandardInput = true;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.WorkingDirectory = Path.GetDirectoryName(BundlePath);
        info.EnvironmentVariables["OUTPOST_AGENT_HOME"] = AgentHome;
        info.EnvironmentVariables["OUTPOST_AGENT_SERVICE"] = "windows";
        agent = new Process();
        agent.StartInfo = info;
        agent.EnableRaisingEvents = true;
        agent.OutputDataReceived += WriteLine;
        agent.ErrorDataReceived += WriteLine;
        agent.Exited += OnAgentExited;
        agent.Start();
        agent.BeginOutputReadLine();
        agent.BeginErrorReadLine();
    }

    void WriteLine(object sender, DataReceivedEventArgs line)
    {
        if (line.Data == null) return;
        lock (log) { log.WriteLine(line.Data); }
    }

    void OnAgentExited(object sender, EventArgs e)
    {
        if (stopping) return;
        if (agent.ExitCode == ExitFinal)
        {
            Stop();
            return;
        }
        if (agent.ExitCode == ExitRestart)
        {
            StartAgent();
            return;
        }
        // Exiting without reporting "stopped" makes the service's recovery actions restart it.
        Environment.Exit(1);
    }

    protected override void OnStop() { StopAgent(); }

    protected override void OnShutdown() { StopAgent(); }

    void StopAgent()
    {
        stopping = true;
        if (agent == null || agent.HasExited) return;
        RequestAdditionalTime(20000);
        try { agent.StandardInput.Close(); } catch (Exception) { }
        if (!agent.WaitForExit(15000))
        {
            try { agent.Kill(); } catch (Exception) { }
        }
    }

    public static void Main()
    {
        ServiceBase.Run(new OutpostAgentService());
    }
}
`;
}

/** The sc.exe calls that register the compiled host; each is an argument list. */
export function windowsInstallCommands(hostExe: string): string[][] {
  return [
    [
      'create',
      WINDOWS_SERVICE_NAME,
      'binPath=',
      `"${hostExe}"`,
      'start=',
      'delayed-auto',
      'DisplayName=',
      WINDOWS_DISPLAY_NAME,
    ],
    ['description', WINDOWS_SERVICE_NAME, "Carries Outpost's work to the systems in this network."],
    [
      'failure',
      WINDOWS_SERVICE_NAME,
      'reset=',
      '86400',
      'actions=',
      'restart/5000/restart/10000/restart/30000',
    ],
    ['start', WINDOWS_SERVICE_NAME],
  ];
}
