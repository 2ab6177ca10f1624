using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Provisioning.Core.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class TemplatesAsFiles : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Releases name their template as its file does ("app", "vm"), no longer as an enum member ("App", "Vm").
            migrationBuilder.Sql("UPDATE releases SET Template = lower(Template);");

            migrationBuilder.CreateTable(
                name: "workspace_outputs",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    WorkspaceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Step = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Key = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Value = table.Column<string>(type: "TEXT", nullable: false),
                    Secret = table.Column<bool>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_workspace_outputs", x => x.Id);
                    table.ForeignKey(
                        name: "FK_workspace_outputs_workspaces_WorkspaceId",
                        column: x => x.WorkspaceId,
                        principalTable: "workspaces",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_workspace_outputs_WorkspaceId_Key",
                table: "workspace_outputs",
                columns: new[] { "WorkspaceId", "Key" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("UPDATE releases SET Template = CASE Template WHEN 'app' THEN 'App' WHEN 'vm' THEN 'Vm' ELSE Template END;");

            migrationBuilder.DropTable(
                name: "workspace_outputs");
        }
    }
}
