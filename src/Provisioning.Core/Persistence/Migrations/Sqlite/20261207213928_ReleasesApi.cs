using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Provisioning.Core.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ReleasesApi : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Description",
                table: "releases",
                type: "TEXT",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "RetiredAt",
                table: "releases",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Source",
                table: "releases",
                type: "TEXT",
                maxLength: 500,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Description",
                table: "releases");

            migrationBuilder.DropColumn(
                name: "RetiredAt",
                table: "releases");

            migrationBuilder.DropColumn(
                name: "Source",
                table: "releases");
        }
    }
}
