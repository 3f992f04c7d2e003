// UdevInfo: the properties of a block device that udev records in its
// database (/run/udev/data/b<major>:<minor>, lines "E:KEY=value"), as far as
// node_exporter's diskstats collector reports them (node_disk_info,
// node_disk_filesystem_info, node_disk_device_mapper_info, node_disk_ata_*).
#ifndef TEND_METRICS_UDEV_INFO_H_
#define TEND_METRICS_UDEV_INFO_H_

#include <optional>
#include <string>
#include <string_view>

namespace tend {

struct UdevInfo {
  std::string id_path;          // ID_PATH
  std::string id_wwn;           // ID_WWN
  std::string id_model;         // ID_MODEL
  std::string id_serial_short;  // ID_SERIAL_SHORT
  std::string id_revision;      // ID_REVISION
  std::string fs_type;          // ID_FS_TYPE
  std::string fs_usage;         // ID_FS_USAGE
  std::string fs_uuid;          // ID_FS_UUID
  std::string fs_version;       // ID_FS_VERSION
  std::string dm_name;          // DM_NAME
  std::string dm_uuid;          // DM_UUID
  std::string dm_vg_name;       // DM_VG_NAME
  std::string dm_lv_name;       // DM_LV_NAME
  std::string dm_lv_layer;      // DM_LV_LAYER
  std::string ata;              // ID_ATA
  // ID_ATA_WRITE_CACHE, ID_ATA_WRITE_CACHE_ENABLED, ID_ATA_ROTATION_RATE_RPM
  // when present and numeric.
  std::optional<double> ata_write_cache;
  std::optional<double> ata_write_cache_enabled;
  std::optional<double> ata_rotation_rate_rpm;
};

// Replaces *info with the properties in `text`, the content of a udev data
// file. Lines that are not "E:KEY=value" and unknown keys are ignored; a
// later line wins over an earlier one with the same key. Never fails: a
// damaged file yields fewer properties.
void ParseUdevData(std::string_view text, UdevInfo* info);

}  // namespace tend

#endif  // TEND_METRICS_UDEV_INFO_H_
