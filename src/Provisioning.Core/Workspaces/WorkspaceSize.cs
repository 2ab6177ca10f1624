namespace Provisioning.Core.Workspaces;

/// <summary>Compute requested for a workspace.</summary>
public readonly record struct WorkspaceSize(int Cpu, int MemoryGb);
