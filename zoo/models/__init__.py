"""The variants. Each module holds one paper: networks, model class, presets."""

from zoo.models.cgan import ConditionalGAN
from zoo.models.cyclegan import CycleGAN
from zoo.models.dcgan import DCGAN
from zoo.models.gan import GAN
from zoo.models.pix2pix import Pix2Pix
from zoo.models.wgan import WGAN
from zoo.models.wgan_gp import WGANGP

__all__ = ["GAN", "DCGAN", "WGAN", "WGANGP", "ConditionalGAN", "CycleGAN", "Pix2Pix"]
