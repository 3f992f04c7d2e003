#include "metrics/udev_info.h"

#include "metrics/parse.h"

namespace tend {
namespace {

std::optional<double> ParseNumber(std::string_view s) {
  double v;
  if (!ParseDouble(s, &v)) return std::nullopt;
  return v;
}

}  // namespace

void ParseUdevData(std::string_view text, UdevInfo* info) {
  *info = UdevInfo();
  while (!text.empty()) {
    std::string_view line = NextLine(&text);
    if (line.size() < 2 || line[0] != 'E' || line[1] != ':') continue;
    line.remove_prefix(2);
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = line.substr(0, eq);
    std::string_view value = line.substr(eq + 1);
    if (key == "ID_PATH") {
      info->id_path = value;
    } else if (key == "ID_WWN") {
      info->id_wwn = value;
    } else if (key == "ID_MODEL") {
      info->id_model = value;
    } else if (key == "ID_SERIAL_SHORT") {
      info->id_serial_short = value;
    } else if (key == "ID_REVISION") {
      info->id_revision = value;
    } else if (key == "ID_FS_TYPE") {
      info->fs_type = value;
    } else if (key == "ID_FS_USAGE") {
      info->fs_usage = value;
    } else if (key == "ID_FS_UUID") {
      info->fs_uuid = value;
    } else if (key == "ID_FS_VERSION") {
      info->fs_version = value;
    } else if (key == "DM_NAME") {
      info->dm_name = value;
    } else if (key == "DM_UUID") {
      info->dm_uuid = value;
    } else if (key == "DM_VG_NAME") {
      info->dm_vg_name = value;
    } else if (key == "DM_LV_NAME") {
      info->dm_lv_name = value;
    } else if (key == "DM_LV_LAYER") {
      info->dm_lv_layer = value;
    } else if (key == "ID_ATA") {
      info->ata = value;
    } else if (key == "ID_ATA_WRITE_CACHE") {
      info->ata_write_cache = ParseNumber(value);
    } else if (key == "ID_ATA_WRITE_CACHE_ENABLED") {
      info->ata_write_cache_enabled = ParseNumber(value);
    } else if (key == "ID_ATA_ROTATION_RATE_RPM") {
      info->ata_rotation_rate_rpm = ParseNumber(value);
    }
  }
}

}  // namespace tend
