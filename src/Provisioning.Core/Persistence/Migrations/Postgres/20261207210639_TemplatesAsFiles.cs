using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Provisioning.Core.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class TemplatesAsFiles : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Releases name their template as its file does ("app", "vm"), no longer as an enum member ("App", "Vm").
            migrationBuilder.Sql("UPDATE releases SET \"Template\" = lower(\"Template\");");

            migrationBuilder.AlterColumn<string>(
                name: "Template",
                table: "releases",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(10)",
                oldMaxLength: 10);

            migrationBuilder.CreateTable(
                name: "workspace_outputs",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    WorkspaceId = table.Column<Guid>(type: "uuid", nullable: false),
                    Step = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Key = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Value = table.Column<string>(type: "text", nullable: false),
                    Secret = table.Column<bool>(type: "boolean", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
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
            migrationBuilder.Sql("UPDATE releases SET \"Template\" = CASE \"Template\" WHEN 'app' THEN 'App' WHEN 'vm' THEN 'Vm' ELSE \"Template\" END;");

            migrationBuilder.DropTable(
                name: "workspace_outputs");

            migrationBuilder.AlterColumn<string>(
                name: "Template",
                table: "releases",
                type: "character varying(10)",
                maxLength: 10,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(64)",
                oldMaxLength: 64);
        }
    }
}
