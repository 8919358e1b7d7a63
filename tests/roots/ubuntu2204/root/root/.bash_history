apt update
apt full-upgrade -y
vi /etc/default/grub
update-grub
shutdown -h now
